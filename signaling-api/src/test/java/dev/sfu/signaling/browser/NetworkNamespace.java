package dev.sfu.signaling.browser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace joined to this one by a veth pair, for a browser that gathers no loopback
 * candidates (Firefox: not even with {@code media.peerconnection.ice.loopback}). This side of the pair
 * gets {@code 10.213.N.1/24}, the namespace's side {@code 10.213.N.2/24}; nothing is routed beyond them,
 * so the test's traffic stays on this machine. Created by the test and removed by {@link #close} (the
 * processes still in it are stopped first), also when the test fails; a JVM that dies without closing it
 * leaves a namespace named after its pid, which the next run removes.
 */
final class NetworkNamespace implements AutoCloseable {
    private static final String IP = Files.isExecutable(Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip" : "/sbin/ip";
    private static final String PREFIX = "sfu-ff-";

    private final String name;
    private final String hostSide;
    private final InetAddress hostAddress;
    private final InetAddress innerAddress;

    /** Whether this machine lets us create namespaces: iproute2 present and running as root. */
    static boolean available() {
        return Files.isExecutable(Path.of(IP)) && "root".equals(System.getProperty("user.name"));
    }

    static final String REQUIREMENT = "the Firefox tests need iproute2 and root to create a network namespace"
            + " (apt-get install iproute2; run as root, as .ci/run does)";

    NetworkNamespace() throws IOException, InterruptedException {
        removeStale();
        long pid = ProcessHandle.current().pid();
        int subnet = freeSubnet();
        name = PREFIX + pid + "-" + subnet;
        hostSide = "sfuff" + subnet + "h"; // interface names are at most 15 characters
        String innerSide = "sfuff" + subnet + "n";
        hostAddress = InetAddress.getByName("10.213." + subnet + ".1");
        innerAddress = InetAddress.getByName("10.213." + subnet + ".2");
        try {
            run(IP, "netns", "add", name);
            run(IP, "link", "add", hostSide, "type", "veth", "peer", "name", innerSide, "netns", name);
            run(IP, "addr", "add", hostAddress.getHostAddress() + "/24", "dev", hostSide);
            run(IP, "link", "set", hostSide, "up");
            run(IP, "netns", "exec", name, IP, "addr", "add", innerAddress.getHostAddress() + "/24", "dev", innerSide);
            run(IP, "netns", "exec", name, IP, "link", "set", innerSide, "up");
            run(IP, "netns", "exec", name, IP, "link", "set", "lo", "up");
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** This side's address: the server binds and advertises it. */
    InetAddress hostAddress() {
        return hostAddress;
    }

    /** The namespace's own address. */
    InetAddress innerAddress() {
        return innerAddress;
    }

    /** The command prefix that runs a program inside the namespace. */
    List<String> exec() {
        return List.of(IP, "netns", "exec", name);
    }

    /** A 10.213.N.0/24 that no interface of this machine uses (other test runs may hold some). */
    private static int freeSubnet() throws IOException {
        List<String> used = new ArrayList<>();
        for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            nif.inetAddresses().forEach(a -> used.add(a.getHostAddress()));
        }
        int start = (int) (ProcessHandle.current().pid() % 200);
        for (int i = 0; i < 200; i++) {
            int n = 20 + (start + i) % 200;
            if (used.stream().noneMatch(a -> a.startsWith("10.213." + n + "."))) {
                return n;
            }
        }
        throw new IOException("no free 10.213.N.0/24 for a test network namespace");
    }

    /** Namespaces of ours whose JVM is gone (killed before it could close them). */
    private static void removeStale() throws InterruptedException {
        try {
            String list = output(IP, "netns", "list");
            for (String line : list.split("\n")) {
                String ns = line.split(" ")[0];
                if (!ns.startsWith(PREFIX)) {
                    continue;
                }
                String[] parts = ns.substring(PREFIX.length()).split("-");
                long pid = Long.parseLong(parts[0]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    stopProcesses(ns);
                    runQuietly(IP, "netns", "del", ns);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a stale namespace costs an address range, nothing else
        }
    }

    /** Stops what still runs in the namespace: only processes this test started can be there. */
    private static void stopProcesses(String ns) throws IOException, InterruptedException {
        for (int round = 0; round < 2; round++) {
            String pids = output(IP, "netns", "pids", ns).trim();
            if (pids.isEmpty()) {
                return;
            }
            for (String pid : pids.split("\\s+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(round == 0 ? ProcessHandle::destroy : ProcessHandle::destroyForcibly);
            }
            Thread.sleep(500);
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stopProcesses(name);
        } catch (IOException | RuntimeException e) {
            // go on: deleting the namespace matters more
        }
        // Deleting the host side deletes its peer; deleting the namespace frees its loopback.
        runQuietly(IP, "link", "del", hostSide);
        runQuietly(IP, "netns", "del", name);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
    }

    private static void runQuietly(String... command) throws InterruptedException {
        try {
            run(command);
        } catch (IOException e) {
            // already gone
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }
}
