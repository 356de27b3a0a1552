//! Certificate verification with OpenSSL's codes, hostname matching.
