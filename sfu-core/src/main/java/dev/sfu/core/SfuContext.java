package dev.sfu.core;

import dev.sfu.core.data.DataLimits;
import dev.sfu.core.metrics.SfuMetrics;
import dev.sfu.core.sdp.PublishLimits;
import dev.sfu.dtls.DtlsCertificate;
import dev.sfu.ice.MediaPort;
import java.util.concurrent.Executor;

/** What every conference of one SFU instance shares. */
interface SfuContext {
    MediaPort mediaPort();

    DtlsCertificate certificate();

    /** Where DTLS handshakes run: never a media thread. */
    Executor handshakeExecutor();

    /** How many of those handshakes one conference or one remote address may hold at once. */
    dev.sfu.core.transport.HandshakeQuota handshakeQuota();

    SfuMetrics metrics();

    /** Queue sizes and intervals of the media path. */
    MediaTuning tuning();

    /** What one publish offer may ask the server to receive. */
    PublishLimits publishLimits();

    /** What each endpoint may send through the data-channel relay. */
    DataLimits dataLimits();

    /** Where conference, participant and track events go (webhooks); never blocks. */
    SfuEvents events();

    /** A conference lost its last endpoint: the SFU may forget it. */
    void conferenceMaybeEmpty(Conference conference);
}
