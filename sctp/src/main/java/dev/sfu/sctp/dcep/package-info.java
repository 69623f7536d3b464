/**
 * WebRTC data channels (RFC 8831) on an SCTP association: the Data Channel Establishment Protocol (RFC 8832)
 * messages and {@link dev.sfu.sctp.dcep.DataChannels}, which opens, accepts, uses and closes channels.
 */
package dev.sfu.sctp.dcep;
