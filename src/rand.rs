//! `ssl.RAND_bytes()` / `ssl.RAND_status()`: the operating system's CSPRNG (through
//! ring), which rustls itself draws from. There is no pool to seed: `ssl.RAND_add()`
//! has nothing to act on (see `compat::features`).

use crate::error::{Error, Result};
use ring::rand::{SecureRandom, SystemRandom};

/// `ssl.RAND_bytes(n)`: `n` cryptographically strong random bytes; a negative `n` is
/// CPython's `ValueError('num must be positive')`. A failing system generator is
/// `ssl.SSLError`, as an OpenSSL generator failure is in CPython.
pub fn rand_bytes(n: i64) -> Result<Vec<u8>> {
    let n = usize::try_from(n).map_err(|_| Error::value("num must be positive"))?;
    let mut out = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| Error::ssl_text("the system random number generator failed"))?;
    Ok(out)
}

/// `ssl.RAND_status()`: whether the generator is seeded; the system generator always is.
pub fn rand_status() -> bool {
    SystemRandom::new().fill(&mut [0u8; 1]).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_and_errors() {
        assert!(rand_status());
        let (a, b) = (rand_bytes(32).unwrap(), rand_bytes(32).unwrap());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(rand_bytes(0).unwrap().is_empty());
        assert_eq!(
            rand_bytes(-5).unwrap_err().to_string(),
            "num must be positive"
        );
    }
}
