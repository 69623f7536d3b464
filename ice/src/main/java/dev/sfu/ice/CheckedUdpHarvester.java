package dev.sfu.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;

/**
 * ice4j's single-port harvester with the first Binding request from a new address checked before ice4j
 * accepts it as a session: the ufrag must be a live transport's, the FINGERPRINT right and the
 * MESSAGE-INTEGRITY made with that transport's password; then the transport's
 * {@link RemoteCandidatePolicy} must allow the source address and its ufrag have room for another one.
 * Otherwise it is dropped and counted by reason, and no per-address state is created in ice4j for it (so
 * no check or answer is ever sent there). (ice4j itself only checks that the ufrag exists;
 * it verifies MESSAGE-INTEGRITY later, on its STUN stack, without telling anyone.)
 */
final class CheckedUdpHarvester extends SinglePortUdpHarvester {
    private volatile Function<String, IceTransport> transportsByUfrag;
    private volatile IceDrops drops;
    private volatile StunSelfCheck selfCheck;

    CheckedUdpHarvester(TransportAddress address) throws IOException {
        super(address);
    }

    /** Set once, right after construction; until then (no transport exists yet) ice4j decides alone. */
    void checkWith(Function<String, IceTransport> transportsByUfrag, IceDrops drops) {
        this.drops = drops;
        this.transportsByUfrag = transportsByUfrag;
    }

    /** Answers the server's own reachability probes (set once, right after construction). */
    void answerSelfChecks(StunSelfCheck check) {
        this.selfCheck = check;
    }

    /** On ice4j's receive thread: must not throw (that would end the thread) and must not block. */
    @Override
    protected MySocket maybeAcceptNewSession(Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
        StunSelfCheck self = selfCheck;
        if (self != null && self.isMine(ufrag)) {
            answer(self, buf, remoteAddress);
            return null;
        }
        Function<String, IceTransport> lookup = transportsByUfrag;
        IceDrops d = drops;
        if (lookup == null || d == null) {
            return super.maybeAcceptNewSession(buf, remoteAddress, ufrag);
        }
        IceTransport transport;
        try {
            IceDrops.Reason reason = check(lookup, buf.getBuffer(), buf.getOffset(), buf.getLength(), ufrag);
            transport = reason == null ? lookup.apply(ufrag) : null;
            if (reason == null && transport != null) {
                // Only now, authenticated: its transport's policy on source addresses and their number.
                reason = transport.admitUdpSource(remoteAddress);
            }
            if (reason != null || transport == null) {
                d.count(reason != null ? reason : IceDrops.Reason.UNKNOWN_UFRAG);
                return null;
            }
        } catch (RuntimeException e) {
            return null; // a bug of ours must not stop the port
        }
        MySocket socket = super.maybeAcceptNewSession(buf, remoteAddress, ufrag);
        if (socket == null) {
            transport.releaseUdpSource(remoteAddress);
        }
        return socket;
    }

    /** Sends the self-check's answer from this port, through a session socket that is closed at once. */
    private void answer(StunSelfCheck self, Buffer buf, InetSocketAddress remoteAddress) {
        byte[] out = new byte[128];
        int length = self.answer(buf.getBuffer(), buf.getOffset(), buf.getLength(), remoteAddress, out,
                System.nanoTime());
        if (length < 0) {
            return;
        }
        try {
            MySocket socket = addSocket(remoteAddress, null, b -> {
            });
            try {
                socket.send(new java.net.DatagramPacket(out, length));
            } finally {
                socket.close();
            }
        } catch (IOException | RuntimeException e) {
            // the check then reports the address unreachable, which it says with its caveats
        }
    }

    /** Why the first request must be dropped, or null to accept it. */
    static IceDrops.Reason check(Function<String, IceTransport> lookup, byte[] b, int off, int len, String ufrag) {
        IceTransport transport = ufrag == null ? null : lookup.apply(ufrag);
        if (transport == null || transport.isClosed()) {
            return IceDrops.Reason.UNKNOWN_UFRAG;
        }
        if (!Stun.isMessage(b, off, len) || !Stun.fingerprintValid(b, off, len)) {
            return IceDrops.Reason.BAD_FINGERPRINT;
        }
        if (!Stun.integrityValid(b, off, len, transport.localPasswordBytes())) {
            return IceDrops.Reason.WRONG_PASSWORD;
        }
        return null;
    }
}
