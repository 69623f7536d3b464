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
 * MESSAGE-INTEGRITY made with that transport's password. Otherwise it is dropped and counted by reason,
 * and no per-address state is created in ice4j for it. (ice4j itself only checks that the ufrag exists;
 * it verifies MESSAGE-INTEGRITY later, on its STUN stack, without telling anyone.)
 */
final class CheckedUdpHarvester extends SinglePortUdpHarvester {
    private volatile Function<String, IceTransport> transportsByUfrag;
    private volatile IceDrops drops;

    CheckedUdpHarvester(TransportAddress address) throws IOException {
        super(address);
    }

    /** Set once, right after construction; until then (no transport exists yet) ice4j decides alone. */
    void checkWith(Function<String, IceTransport> transportsByUfrag, IceDrops drops) {
        this.drops = drops;
        this.transportsByUfrag = transportsByUfrag;
    }

    /** On ice4j's receive thread: must not throw (that would end the thread) and must not block. */
    @Override
    protected MySocket maybeAcceptNewSession(Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
        Function<String, IceTransport> lookup = transportsByUfrag;
        IceDrops d = drops;
        if (lookup != null && d != null) {
            try {
                IceDrops.Reason reason = check(lookup, buf.getBuffer(), buf.getOffset(), buf.getLength(), ufrag);
                if (reason != null) {
                    d.count(reason);
                    return null;
                }
            } catch (RuntimeException e) {
                return null; // a bug of ours must not stop the port
            }
        }
        return super.maybeAcceptNewSession(buf, remoteAddress, ufrag);
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
