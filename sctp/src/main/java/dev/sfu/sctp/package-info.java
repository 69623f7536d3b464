/**
 * A sans-I/O SCTP association (RFC 9260 subset, with RFC 3758/7496 partial reliability and RFC 6525 stream
 * resets) for WebRTC data channels over DTLS. Start at {@link dev.sfu.sctp.SctpAssociation}; the design, what
 * is implemented and the limits are in docs/sctp.md.
 */
package dev.sfu.sctp;
