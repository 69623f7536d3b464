package dev.sfu.signaling;

import dev.sfu.core.EndpointHandle;
import java.util.HashSet;

/**
 * A joined endpoint as the signaling layer keeps it for its whole life, whichever connection carries it
 * now (resumption moves it between connections): its handle, its relay, and its grants, which the admin
 * API may change during the call. Any thread.
 */
final class JoinedParticipant {
    private final EndpointHandle handle;
    private final EndpointRelay relay;
    private final Runnable forgetResume;
    private volatile Grants grants;

    /** @param forgetResume makes its resume token worthless (it is removed: nobody may take it back) */
    JoinedParticipant(EndpointHandle handle, EndpointRelay relay, Grants grants, Runnable forgetResume) {
        this.handle = handle;
        this.relay = relay;
        this.grants = grants;
        this.forgetResume = forgetResume;
    }

    EndpointHandle handle() {
        return handle;
    }

    String endpointId() {
        return handle.endpointId();
    }

    String conferenceId() {
        return handle.conferenceId();
    }

    String identity() {
        return grants.identity();
    }

    Grants grants() {
        return grants;
    }

    /**
     * The server removes it (admin API, a newer join of its identity, a closed conference): the attached
     * connection, if any, gets {@code removed} with the reason and is closed; the endpoint leaves and
     * cannot be resumed.
     */
    void remove(String reason) {
        forgetResume.run();
        relay.removed(reason);
        handle.leave(reason);
    }

    /**
     * New grants from the admin API: subscribing and data take effect at once; what it may no longer
     * publish is muted by the server (everyone is told) and its offers and unmutes are refused from now on.
     */
    void updateGrants(Grants updated) {
        grants = updated;
        handle.updatePermissions(updated.canSubscribe(), updated.canPublishData() && !updated.hidden());
        for (String source : new HashSet<>(handle.publishedSources().values())) {
            if (!updated.mayPublish(source)) {
                handle.setSourceMuted(source, true);
            }
        }
    }
}
