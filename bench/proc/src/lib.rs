//! What `/proc` says of processes, for the load drivers under `bench/`: CPU time, children,
//! memory, and the machine's busy time. Times assume 100 clock ticks per second (Linux's
//! `USER_HZ` on every architecture it runs on here).

use std::io::{Error, ErrorKind, Result};

const TICKS_PER_SECOND: f64 = 100.0;

/// The fields of `/proc/<pid>/stat` after the command name (field 3 onwards).
fn stat_fields(pid: u32) -> Result<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let (_, rest) = stat
        .rsplit_once(')')
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, "no ')' in /proc/<pid>/stat"))?;
    Ok(rest.split_whitespace().map(str::to_owned).collect())
}

fn number<T: std::str::FromStr>(fields: &[String], index: usize) -> Result<T> {
    fields
        .get(index)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, "short /proc/<pid>/stat"))
}

/// CPU seconds a process has used, all its threads: utime + stime.
pub fn cpu_seconds(pid: u32) -> Result<f64> {
    let fields = stat_fields(pid)?;
    let ticks = number::<f64>(&fields, 11)? + number::<f64>(&fields, 12)?;
    Ok(ticks / TICKS_PER_SECOND)
}

/// CPU seconds the processes `pids` have used (those that are gone count nothing).
pub fn cpu_seconds_of(pids: &[u32]) -> f64 {
    pids.iter().filter_map(|pid| cpu_seconds(*pid).ok()).sum()
}

/// The processes whose parent is `pid`.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            stat_fields(*child)
                .ok()
                .and_then(|fields| number::<u32>(&fields, 1).ok())
                == Some(pid)
        })
        .collect()
}

/// (VmRSS, VmHWM) of a process, in KiB.
pub fn memory_kib(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| Error::new(ErrorKind::InvalidData, format!("no {name}")))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// Busy CPU seconds of the whole machine (all processes, and time stolen by the hypervisor):
/// everything in `/proc/stat`'s first line but idle and iowait.
pub fn machine_busy_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let ticks: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .take(8)
        .filter_map(|value| value.parse().ok())
        .collect();
    if ticks.len() < 8 {
        return Err(Error::new(ErrorKind::InvalidData, "short /proc/stat"));
    }
    // user nice system idle iowait irq softirq steal
    let busy: f64 = ticks
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    Ok(busy / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_seen() {
        let me = std::process::id();
        assert!(cpu_seconds(me).unwrap() >= 0.0);
        let (rss, hwm) = memory_kib(me).unwrap();
        assert!(rss > 0 && hwm >= rss);
        assert!(machine_busy_seconds().unwrap() > 0.0);
        let child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert!(children(me).contains(&child.id()));
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
    }
}
