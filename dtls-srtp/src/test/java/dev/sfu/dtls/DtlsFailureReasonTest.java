package dev.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A failed handshake's reason reaches the client as the close reason its page shows: plain words, never a
 * Java class name (a Firefox user once saw "org.bouncycastle.tls.TlsTimeoutException: Handshake timed out").
 */
class DtlsFailureReasonTest {
    @Test
    void reasonsAreInPlainWords() {
        assertEquals("handshake timed out", DtlsTransport.describe(new TlsTimeoutException("Handshake timed out")));
        assertEquals("handshake failed (we sent alert bad_certificate)",
                DtlsTransport.describe(new TlsFatalAlert(AlertDescription.bad_certificate)));
        assertEquals("handshake failed (the peer sent alert handshake_failure)",
                DtlsTransport.describe(new TlsFatalAlertReceived(AlertDescription.handshake_failure)));
        assertEquals("handshake failed", DtlsTransport.describe(new IOException("java.net.SocketException: closed")));
        assertEquals("handshake failed", DtlsTransport.describe(new IllegalStateException("x")));
        for (Throwable t : new Throwable[] {new TlsTimeoutException("t"), new TlsFatalAlert(AlertDescription.decode_error),
                new TlsFatalAlertReceived(AlertDescription.close_notify), new RuntimeException("org.example.Boom")}) {
            String reason = DtlsTransport.describe(t);
            assertFalse(reason.matches(".*\\b[a-z]+\\.[a-z]+\\.[A-Za-z.]+.*"), "no class name in: " + reason);
        }
    }
}
