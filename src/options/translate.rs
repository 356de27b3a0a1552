//! How each `OP_*` flag maps onto rustls.
