//! OpenSSL cipher strings over OpenSSL 3.0's cipher table.
