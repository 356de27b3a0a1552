//! Certificate decoding into CPython's dict.
