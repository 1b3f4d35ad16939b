//! A small XML writer for response documents, indented as AWS indents them.

/// Writes an XML document element by element.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            out: String::with_capacity(512),
            depth: 0,
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// Opens `<name>`.
    pub fn open(&mut self, name: &str) {
        self.open_ns(name, None);
    }

    /// Opens `<name xmlns="namespace">`.
    pub fn open_ns(&mut self, name: &str, namespace: Option<&str>) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        if let Some(namespace) = namespace {
            self.out.push_str(" xmlns=\"");
            escape_into(&mut self.out, namespace);
            self.out.push('"');
        }
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Closes `</name>`.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Writes `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.indent();
        push_leaf(&mut self.out, name, text);
        self.out.push('\n');
    }

    /// Writes `<name/>`.
    pub fn empty(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>\n");
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

/// Appends `<name>text</name>` with `text` escaped.
pub fn push_leaf(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends `text` with the five XML special characters escaped.
pub fn escape_into(out: &mut String, text: &str) {
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&apos;",
            b'\r' => "&#xD;",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        out.push_str(escaped);
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_indented_and_escaped() {
        let mut doc = Writer::new();
        doc.open_ns("R", Some("https://example.com/"));
        doc.leaf("A", "x < y & \"z\"");
        doc.empty("B");
        doc.close("R");
        assert_eq!(
            doc.finish(),
            "<R xmlns=\"https://example.com/\">\n  <A>x &lt; y &amp; &quot;z&quot;</A>\n  <B/>\n</R>\n"
        );
    }
}
