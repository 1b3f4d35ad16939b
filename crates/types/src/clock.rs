use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Where unkai reads the time. Production uses the system clock; tests use a [`ManualClock`]
/// and move it forward instead of sleeping.
#[derive(Clone)]
pub struct Clock(Arc<dyn Source>);

trait Source: Send + Sync {
    fn now(&self) -> SystemTime;
}

struct System;

impl Source for System {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self(Arc::new(System))
    }

    /// A clock that stands still at `start` until moved through the returned handle.
    pub fn manual(start: SystemTime) -> (Self, ManualClock) {
        let handle = ManualClock(Arc::new(Mutex::new(start)));
        (Self(Arc::new(handle.clone())), handle)
    }

    /// The current time.
    pub fn now(&self) -> SystemTime {
        self.0.now()
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> u64 {
        self.now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis() as u64
    }
}

/// Moves a manual [`Clock`].
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.0.lock() {
            *now += by;
        }
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: SystemTime) {
        if let Ok(mut now) = self.0.lock() {
            *now = to;
        }
    }
}

impl Source for ManualClock {
    fn now(&self) -> SystemTime {
        self.0
            .lock()
            .map(|now| *now)
            .unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let (clock, hand) = Clock::manual(start);
        assert_eq!(clock.now(), start);
        hand.advance(Duration::from_secs(5));
        assert_eq!(clock.unix_seconds(), 1_005);
        hand.set(start);
        assert_eq!(clock.now(), start);
    }
}
