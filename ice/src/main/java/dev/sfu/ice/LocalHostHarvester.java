package dev.sfu.ice;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceSocketWrapper;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * A host candidate on one given address and an ephemeral port, loopback included (ice4j's own host
 * harvester skips loopback interfaces). Used by client-side transports.
 */
final class LocalHostHarvester implements CandidateHarvester {
    private final InetAddress address;
    private final HarvestStatistics statistics = new HarvestStatistics();

    LocalHostHarvester(InetAddress address) {
        this.address = address;
    }

    @Override
    public Collection<LocalCandidate> harvest(Component component) {
        try {
            MultiplexingDatagramSocket socket = new MultiplexingDatagramSocket(new InetSocketAddress(address, 0));
            IceSocketWrapper wrapper = new IceUdpSocketWrapper(socket);
            HostCandidate candidate = new HostCandidate(wrapper, component, Transport.UDP);
            component.addLocalCandidate(candidate);
            candidate.getStunStack().addSocket(candidate.getStunSocket(null));
            component.getComponentSocket().add(candidate.getCandidateIceSocketWrapper());
            return List.of(candidate);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a client socket on " + address + ": " + e.getMessage(), e);
        }
    }

    @Override
    public HarvestStatistics getHarvestStatistics() {
        return statistics;
    }

    @Override
    public boolean isHostHarvester() {
        return true;
    }
}
