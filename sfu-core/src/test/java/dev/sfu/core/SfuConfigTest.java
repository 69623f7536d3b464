package dev.sfu.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sfu.ice.IceConfig;
import dev.sfu.ice.RemoteCandidateScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SfuConfigTest {

    /**
     * The old {@code withIceTcpPort} called the constructor without last-N and so reset it to 0. Every
     * change now goes through the builder, which carries every field.
     */
    @Test
    void settingTheIceTcpPortKeepsLastN() {
        SfuConfig config = SfuConfig.loopback().toBuilder().lastN(3).build();
        SfuConfig changed = config.toBuilder().ice(config.ice().toBuilder().tcpPort(4443).build()).build();
        assertEquals(3, changed.lastN());
        assertEquals(4443, changed.ice().tcpPort());
    }

    /** A field the builder forgot to copy would show here: every one differs from the builder's start. */
    @Test
    void toBuilderCarriesEveryField() {
        IceConfig ice = new IceConfig("10.0.0.1", 4000, List.of("203.0.113.7"), 4001, "stun.example:3478",
                Duration.ofSeconds(7), RemoteCandidateScope.STRICT);
        MediaTuning tuning = new MediaTuning(1024, 8, 16, 64, Duration.ofMillis(10), Duration.ofMillis(20),
                Duration.ofMillis(500));
        ResourceLimits limits = new ResourceLimits(new dev.sfu.core.sdp.PublishLimits(1, 2, 3), 4096, 5, 6);
        SfuConfig config = new SfuConfig(ice, 7, 9, 3, 2, tuning, limits, true);
        assertEquals(config, config.toBuilder().build());
        assertEquals(ice, ice.toBuilder().build());
        assertEquals(SfuConfig.class.getRecordComponents().length, 8, "a new field must be added to toBuilder");
        assertEquals(IceConfig.class.getRecordComponents().length, 7, "a new field must be added to toBuilder");
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SfuConfig.loopback().toBuilder().lastN(-1).build());
        assertThrows(IllegalArgumentException.class, () -> new MediaTuning(1000, 256, 0, 128,
                Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(300)));
    }
}
