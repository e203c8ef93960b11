package dev.mlops.es;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.elasticsearch.cluster.ClusterName;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginBundle;
import org.elasticsearch.plugins.PluginsLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a real Elasticsearch node (org.elasticsearch.node.Node) inside this JVM.
 *
 * <p>Why not {@code org.elasticsearch.bootstrap.Elasticsearch#main}: in ES 9 that entry point expects to be
 * forked by the server CLI (it reads serialized ServerArgs from stdin), installs the entitlement agent
 * (ES 9 replaced the Security Manager with "entitlements", which need the entitlement agent/bridge jars
 * that only ship in the distribution) and refuses to run as root. This launcher does the parts that
 * matter for a development node and skips those:
 * <ol>
 *   <li>build the node settings exactly like the CLI does (elasticsearch.yml + overrides),</li>
 *   <li>configure log4j through ES' own LogConfigurator (config/log4j2.properties),</li>
 *   <li>load the plugin bundles found in {@code $ES_HOME/modules} (transport-netty4, mlops-rest-root)
 *       with ES' own PluginsLoader,</li>
 *   <li>construct and start the Node, and close it cleanly on SIGTERM.</li>
 * </ol>
 * No bootstrap checks run (the default {@code Node#validateNodeBeforeAcceptingRequests} is a no-op).
 *
 * <p>System properties (set by scripts/infra/elasticsearch.sh):
 * es.path.home (required), es.path.data, es.path.logs, es.http.port (or env ES_PORT), es.pidfile.
 */
public final class EmbeddedElasticsearch {

    private static final CountDownLatch STOPPED = new CountDownLatch(1);

    private EmbeddedElasticsearch() {}

    public static void main(String[] args) throws Exception {
        final String home = System.getProperty("es.path.home");
        if (home == null || home.isBlank()) {
            System.err.println("EmbeddedElasticsearch: -Des.path.home=<dir with config/ and modules/> is required");
            System.exit(2);
        }

        // Must happen before anything touches log4j: ES refuses to configure logging if the
        // status logger already reported an error.
        LogConfigurator.registerErrorListener();

        final Settings.Builder overrides = Settings.builder().put(Environment.PATH_HOME_SETTING.getKey(), home);
        putIfSet(overrides, Environment.PATH_DATA_SETTING.getKey(), System.getProperty("es.path.data"));
        putIfSet(overrides, Environment.PATH_LOGS_SETTING.getKey(), System.getProperty("es.path.logs"));
        String port = System.getProperty("es.http.port");
        if (port == null || port.isBlank()) {
            port = System.getenv("ES_PORT");
        }
        putIfSet(overrides, "http.port", port);

        final Environment environment = InternalSettingsPreparer.prepareEnvironment(
            overrides.build(),
            Map.of(),
            null, // -> $path.home/config
            () -> "mlops-es-1"
        );
        Files.createDirectories(environment.logsDir());
        for (Path dataDir : environment.dataDirs()) {
            Files.createDirectories(dataDir);
        }

        LogConfigurator.setClusterName(ClusterName.CLUSTER_NAME_SETTING.get(environment.settings()).value());
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
        LogConfigurator.configure(environment, true);
        final Logger logger = LogManager.getLogger(EmbeddedElasticsearch.class);
        logger.info(
            "embedded launcher: home [{}], data {}, logs [{}], java [{} {}]",
            environment.configDir().getParent(),
            java.util.Arrays.toString(environment.dataDirs()),
            environment.logsDir(),
            System.getProperty("java.vendor"),
            Runtime.version()
        );

        writePidFile(System.getProperty("es.pidfile"));

        // Plugin bundles: $home/modules/<name>/{plugin-descriptor.properties,*.jar}; $home/plugins is optional.
        final Set<PluginBundle> modules = PluginsLoader.loadModulesBundles(environment.modulesDir(), false);
        final Set<PluginBundle> plugins = PluginsLoader.loadPluginsBundles(environment.pluginsDir(), false);
        // withServerExports=false: the server is in the unnamed module here (class path), it has no
        // module descriptor whose qualified exports could be wired to plugin layers.
        final PluginsLoader pluginsLoader = PluginsLoader.createPluginsLoader(modules, plugins, Map.of(), false);
        logger.info(
            "embedded launcher: modules {}",
            modules.stream().map(b -> b.pluginDescriptor().getName()).sorted().toList()
        );

        final Node node = new Node(environment, pluginsLoader);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node, logger), "mlops-es-shutdown"));
        node.start();
        logger.info("embedded launcher: node started");

        // Node threads are daemon-ish from the JVM's point of view in places; keep the JVM alive until stop.
        STOPPED.await();
    }

    private static void stop(Node node, Logger logger) {
        try {
            logger.info("embedded launcher: stopping node");
            node.prepareForClose();
            node.close();
            if (node.awaitClose(20, TimeUnit.SECONDS) == false) {
                logger.warn("embedded launcher: node did not close within 20s");
            }
        } catch (Exception e) {
            logger.error("embedded launcher: error while stopping node", e);
        } finally {
            deletePidFile(System.getProperty("es.pidfile"));
            STOPPED.countDown();
            Configurator.shutdown((LoggerContext) LogManager.getContext(false));
        }
    }

    private static void putIfSet(Settings.Builder builder, String key, String value) {
        if (value != null && value.isBlank() == false) {
            builder.put(key, value);
        }
    }

    private static void writePidFile(String pidFile) throws java.io.IOException {
        if (pidFile == null || pidFile.isBlank()) {
            return;
        }
        Path path = Path.of(pidFile).toAbsolutePath();
        Files.createDirectories(path.getParent());
        Files.writeString(path, Long.toString(ProcessHandle.current().pid()));
    }

    private static void deletePidFile(String pidFile) {
        if (pidFile == null || pidFile.isBlank()) {
            return;
        }
        try {
            Files.deleteIfExists(Path.of(pidFile));
        } catch (java.io.IOException ignored) {
            // best effort
        }
    }
}
