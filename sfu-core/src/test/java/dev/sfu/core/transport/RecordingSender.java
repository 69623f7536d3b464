package dev.sfu.core.transport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A subscriber transport for unit tests: keeps a copy of every packet "sent", unencrypted. */
public final class RecordingSender implements RtpSender {
    public final List<byte[]> rtp = new ArrayList<>();
    public final List<byte[]> rtcp = new ArrayList<>();
    public boolean connected = true;
    private int transportWideSequence;

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public int sendRtp(byte[] buffer, int offset, int length) {
        if (!connected) {
            return -1;
        }
        rtp.add(Arrays.copyOfRange(buffer, offset, offset + length));
        return length;
    }

    @Override
    public void sendRtcp(byte[] buffer, int offset, int length) {
        if (connected) {
            rtcp.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }
    }

    @Override
    public int nextTransportWideSequence() {
        return transportWideSequence++ & 0xffff;
    }
}
