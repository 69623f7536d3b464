package dev.sfu.sctp;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A test endpoint: an association whose events are recorded. */
final class Peer implements AssociationListener, VirtualNetwork.Node {
    record Message(int streamId, int ppid, byte[] data) {}

    final SctpAssociation assoc;
    final List<Message> messages = new ArrayList<>();
    final List<int[]> incomingResets = new ArrayList<>();
    final List<int[]> outgoingResets = new ArrayList<>();
    final List<Integer> bufferedLow = new ArrayList<>();
    boolean connected;
    CloseReason closed;
    String closeDetail;

    Peer(SctpConfig cfg, PacketSink sink, long seed) {
        assoc = new SctpAssociation(cfg, sink, this, new Random(seed));
    }

    @Override
    public void onConnected() {
        connected = true;
    }

    @Override
    public void onMessage(int streamId, int ppid, byte[] data) {
        messages.add(new Message(streamId, ppid, data));
    }

    @Override
    public void onIncomingStreamsReset(int[] streamIds) {
        incomingResets.add(streamIds);
    }

    @Override
    public void onOutgoingStreamsReset(int[] streamIds) {
        outgoingResets.add(streamIds);
    }

    @Override
    public void onBufferedAmountLow(int streamId) {
        bufferedLow.add(streamId);
    }

    @Override
    public void onClosed(CloseReason reason, String detail) {
        closed = reason;
        closeDetail = detail;
    }

    @Override
    public void receive(byte[] b, int off, int len, long now) {
        assoc.receive(b, off, len, now);
    }

    @Override
    public long nextTimeoutNanos() {
        return assoc.nextTimeoutNanos();
    }

    @Override
    public void handleTimeout(long now) {
        assoc.handleTimeout(now);
    }

    /** Two peers on a network; both configured alike. */
    static Peer[] pair(VirtualNetwork net, SctpConfig cfg) {
        Peer a = new Peer(cfg, net.sinkOfA(), net.rng.nextLong());
        Peer b = new Peer(cfg, net.sinkOfB(), net.rng.nextLong());
        net.a = a;
        net.b = b;
        return new Peer[] {a, b};
    }
}
