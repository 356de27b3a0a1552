//! `SSLContext.keylog_filename`: NSS key-log lines appended to a file, as OpenSSL's
//! keylog callback in CPython writes them (the header is written when the file is set).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// Appends `LABEL <client_random hex> <secret hex>` lines to one file.
#[derive(Debug)]
pub(crate) struct KeyLogFile {
    path: PathBuf,
    lock: Mutex<()>,
}

impl KeyLogFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        KeyLogFile {
            path,
            lock: Mutex::new(()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl rustls::KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let line = format!("{label} {} {}\n", hex(client_random), hex(secret));
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        // CPython reports a failed key-log write as an exception chained to the
        // operation; rustls gives no way to fail the handshake from here, so a write
        // error only loses the line (see docs/COMPATIBILITY.md).
        if let Ok(mut file) = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
        {
            let _ = file.write_all(line.as_bytes());
        }
    }
}
