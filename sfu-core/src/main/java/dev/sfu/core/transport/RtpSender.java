package dev.sfu.core.transport;

/**
 * Where a subscription's packets go: a subscriber's transport, which encrypts them and sends them.
 * (An interface so that the router can be measured against SRTP alone, without a socket.)
 */
public interface RtpSender {
    boolean isConnected();

    /**
     * Encrypts in place and sends; the buffer needs SRTP's growth room after the packet.
     *
     * @return the length of the SRTP packet sent (it is left in the buffer), or -1 when nothing was sent
     */
    int sendRtp(byte[] buffer, int offset, int length);

    void sendRtcp(byte[] buffer, int offset, int length);

    /** The next transport-wide sequence number (transport-cc) of packets sent on this transport. */
    int nextTransportWideSequence();
}
