import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One hostile peer for the soak (scripts/soak/run): `java HostilePeer.java KIND HTTP_PORT MEDIA_PORT`, a
 * JDK-only program so the soak needs nothing built. Kinds, one per minute in turn:
 *   garbage    20,000 random and truncated datagrams at the media port
 *   stun       5,000 STUN binding requests naming unknown ufrags
 *   signaling  a socket sending garbage, oversize frames and floods until it is closed
 *   silent     25 joins with publish offers whose peers never do ICE, then dropped sockets (no close frame)
 *   sockets    a burst of 100 WebSockets from one address (most refused by the per-address cap)
 */
public class HostilePeer {
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int http = Integer.parseInt(args[1]);
        int media = Integer.parseInt(args[2]);
        URI ws = URI.create("ws://127.0.0.1:" + http + "/ws");
        Random random = new Random();
        switch (kind) {
            case "garbage" -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    for (int i = 0; i < 20_000; i++) {
                        byte[] b = new byte[random.nextInt(1200) + 1];
                        random.nextBytes(b);
                        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), media));
                    }
                }
            }
            case "stun" -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    for (int i = 0; i < 5_000; i++) {
                        String user = "x" + random.nextInt(1_000_000) + ":y";
                        byte[] b = new byte[20 + 4 + ((user.length() + 3) & ~3)];
                        b[1] = 1; // Binding request
                        int attrs = b.length - 20;
                        b[2] = (byte) (attrs >> 8);
                        b[3] = (byte) attrs;
                        b[4] = 0x21; b[5] = 0x12; b[6] = (byte) 0xa4; b[7] = 0x42; // magic cookie
                        for (int k = 8; k < 20; k++) {
                            b[k] = (byte) random.nextInt();
                        }
                        b[20] = 0; b[21] = 6; // USERNAME
                        b[22] = 0; b[23] = (byte) user.length();
                        System.arraycopy(user.getBytes(), 0, b, 24, user.length());
                        s.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), media));
                    }
                }
            }
            case "signaling" -> {
                WebSocket s = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() { })
                        .get(10, TimeUnit.SECONDS);
                try {
                    for (int i = 0; i < 200 && !s.isOutputClosed(); i++) {
                        s.sendText(i % 3 == 0 ? "not json" : "{\"type\":\"offer\",\"sdp\":\"v=0\"}", true).get(5, TimeUnit.SECONDS);
                    }
                    s.sendText("x".repeat(200_000), true).get(5, TimeUnit.SECONDS);
                } catch (Exception closedByTheServer) {
                    // the point: the server closes it
                }
                s.abort();
            }
            case "silent" -> {
                List<WebSocket> sockets = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    WebSocket s = HttpClient.newHttpClient().newWebSocketBuilder()
                            .buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
                    sockets.add(s);
                    s.sendText("{\"type\":\"join\",\"id\":1,\"conference\":\"silent-" + i / 5 + "\"}", true)
                            .get(5, TimeUnit.SECONDS);
                    s.sendText("{\"type\":\"offer\",\"id\":2,\"transport\":\"publish\",\"sdp\":\"" + offer(i) + "\"}", true)
                            .get(5, TimeUnit.SECONDS);
                }
                Thread.sleep(2000);
                sockets.forEach(WebSocket::abort);
            }
            case "sockets" -> {
                List<WebSocket> sockets = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    try {
                        sockets.add(HttpClient.newHttpClient().newWebSocketBuilder()
                                .buildAsync(ws, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS));
                    } catch (Exception refused) {
                        // the per-address cap at work
                    }
                }
                System.out.println("sockets accepted: " + sockets.size());
                Thread.sleep(1000);
                for (WebSocket s : sockets) {
                    s.sendClose(1000, "");
                }
            }
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    private static String offer(int i) {
        return String.join("\\r\\n", "v=0", "o=- " + (1000 + i) + " 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "a=group:BUNDLE 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:sil" + i, "a=ice-pwd:abcdefghijklmnopqrstuvwx", "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                "a=ssrc:" + (7000 + i) + " cname:silent", "") ;
    }
}
