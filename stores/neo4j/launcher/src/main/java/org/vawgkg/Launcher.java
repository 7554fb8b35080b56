package org.vawgkg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.kernel.internal.Version;

/**
 * Starts Neo4j Community (the embedded DBMS with its Bolt connector) as a
 * server for the project: loopback only, authentication on, no file URLs
 * for LOAD CSV, bounded transactions, explicit memory.
 *
 * <pre>
 * java -Xmx1g -cp 'build/*:lib/*' org.vawgkg.Launcher \
 *     --home DIR --port N --ready-file FILE [--pagecache 512m] [--tx-timeout 30s]
 * </pre>
 *
 * The neo4j user's password comes from the environment variable
 * VAWG_KG_NEO4J_INITIAL_PASSWORD (not the command line, which other users
 * can read in ps). It is set on every start, so a reused data folder takes
 * the password of the current run. When Bolt accepts connections the
 * launcher writes the ready file (JSON: pid, port, version); on SIGTERM a
 * shutdown hook stops the DBMS cleanly and removes the ready file.
 */
public final class Launcher {
    private static final String PASSWORD_ENV = "VAWG_KG_NEO4J_INITIAL_PASSWORD";

    private Launcher() {}

    public static void main(String[] argv) throws Exception {
        int javaVersion = Runtime.version().feature();
        if (javaVersion < 17) {
            fail("Neo4j 5.26 needs Java 17 or newer; this is Java " + javaVersion);
        }
        Map<String, String> args = parseArgs(argv);
        Path home = Path.of(required(args, "home")).toAbsolutePath();
        int port = Integer.parseInt(required(args, "port"));
        Path readyFile = Path.of(required(args, "ready-file")).toAbsolutePath();
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.length() < 8) {
            fail(PASSWORD_ENV + " must hold the neo4j user's password (8 characters or more)");
        }
        Path importDir = home.resolve("import");
        Files.createDirectories(importDir);
        Files.deleteIfExists(readyFile);

        // A plain neo4j.conf, rewritten on every start, so the settings in force can be read in the data folder.
        String listen = "127.0.0.1:" + port;
        List<String> conf = List.of(
                "server.default_listen_address=127.0.0.1",
                "server.default_advertised_address=127.0.0.1",
                "server.bolt.enabled=true",
                "server.bolt.listen_address=" + listen,
                "server.bolt.advertised_address=" + listen,
                "dbms.security.auth_enabled=true",
                "server.memory.pagecache.size=" + args.getOrDefault("pagecache", "512m"),
                "server.directories.import=" + importDir,
                "dbms.security.allow_csv_import_from_file_urls=false",
                "db.transaction.timeout=" + args.getOrDefault("tx-timeout", "30s"),
                // Only built-in procedures exist (no APOC on the classpath); none may run unrestricted.
                "dbms.security.procedures.unrestricted=",
                "dbms.usage_report.enabled=false",
                // Netty waits a 5 s quiet period per connector on shutdown; a stop should take a second, not ten.
                "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
                "internal.dbms.bolt.netty_server_shutdown_timeout=5s");
        Path confFile = home.resolve("conf").resolve("neo4j.conf");
        Files.createDirectories(confFile.getParent());
        Files.write(confFile, conf, StandardCharsets.UTF_8);

        DatabaseManagementService dbms =
                new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(confFile).build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(readyFile);
            } catch (IOException ignored) {
                // the Python side treats a dead pid as stopped anyway
            }
            dbms.shutdown();
            stopped.countDown();
        }, "vawg-kg-neo4j-shutdown"));

        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // A restart on the same data folder with the same password: Neo4j refuses
            // to "change" a password to itself, and that is the state we want anyway.
            String message = String.valueOf(e.getMessage());
            if (!message.contains("Old password and new password cannot be the same")) {
                throw e;
            }
        }

        waitForBolt(port);
        String json = String.format(
                "{\"pid\": %d, \"port\": %d, \"version\": \"%s\", \"home\": \"%s\"}%n",
                ProcessHandle.current().pid(), port, Version.getNeo4jVersion(),
                home.toString().replace("\\", "\\\\").replace("\"", "\\\""));
        Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("vawg-kg: Neo4j " + Version.getNeo4jVersion() + " ready on bolt://" + listen);
        stopped.await();
    }

    private static void waitForBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("Bolt did not open on 127.0.0.1:" + port + " within 60 s");
    }

    private static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                fail("usage: Launcher --home DIR --port N --ready-file FILE [--pagecache SIZE] [--tx-timeout DURATION]");
            }
            args.put(argv[i].substring(2), argv[++i]);
        }
        return args;
    }

    private static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            fail("missing --" + name);
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("vawg-kg neo4j launcher: " + message);
        System.exit(2);
    }
}
