import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Elasticsearch security that our compose file relies on, in front of a node that has
 * no security module (Maven Central carries none): every request must authenticate, as the user
 * elastic (ELASTIC_PASSWORD), a user created with PUT /_security/user/NAME, or a Kibana service
 * token from POST /_security/service/elastic/kibana/credential/token/NAME. Roles are accepted and
 * not enforced: this checks logins, it does not authorize. Users and tokens are kept in a file on
 * the data volume, so they outlive a restart as the real ones do.
 *
 * <p>Usage: java SecurityStandIn PORT UPSTREAM ENABLED STATE_FILE
 */
public final class SecurityStandIn {
    private static final Pattern USER = Pattern.compile("^/_security/user/([^/?]+)$");
    private static final Pattern ROLE = Pattern.compile("^/_security/role/([^/?]+)$");
    private static final Pattern TOKEN = Pattern.compile("^/_security/service/elastic/kibana/credential/token/([^/?]+)$");
    private static final Pattern PASSWORD = Pattern.compile("\"password\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    /** Hop-by-hop and length headers: java.net.http sets its own. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect", "upgrade", "authorization", "transfer-encoding");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final SecureRandom random = new SecureRandom();
    private final String upstream;
    private final boolean enabled;
    private final Path stateFile;
    /** user.NAME=password and token.NAME=value. */
    private final Properties state = new Properties();

    private SecurityStandIn(String upstream, boolean enabled, Path stateFile) throws IOException {
        this.upstream = upstream;
        this.enabled = enabled;
        this.stateFile = stateFile;
        if (Files.exists(stateFile)) {
            try (Reader in = Files.newBufferedReader(stateFile)) {
                state.load(in);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        SecurityStandIn standIn = new SecurityStandIn(args[1], Boolean.parseBoolean(args[2]), Path.of(args[3]));
        String elasticPassword = System.getenv("ELASTIC_PASSWORD");
        if (standIn.enabled && (elasticPassword == null || elasticPassword.isEmpty())) {
            System.err.println("security stand-in: ELASTIC_PASSWORD is required when xpack.security.enabled is true");
            System.exit(2);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 128);
        server.createContext("/", exchange -> {
            try {
                standIn.handle(exchange, elasticPassword);
            } catch (Exception e) {
                standIn.reply(exchange, 502, "{\"error\":{\"type\":\"standin_proxy_error\",\"reason\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"},\"status\":502}");
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.start();
        System.out.println("security stand-in: listening on " + args[0] + ", forwarding to " + args[1] + ", authentication " + (standIn.enabled ? "on" : "off"));
    }

    private void handle(HttpExchange exchange, String elasticPassword) throws IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String user = enabled ? authenticate(exchange.getRequestHeaders().getFirst("Authorization"), elasticPassword) : "elastic";
        if (user == null) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"security\" charset=\"UTF-8\"");
            reply(exchange, 401, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"unable to authenticate user\"},\"status\":401}");
            return;
        }
        Matcher m;
        if (path.equals("/_security/_authenticate")) {
            reply(exchange, 200, "{\"username\":\"" + user + "\",\"enabled\":true}");
        } else if ((m = USER.matcher(path)).matches() && (method.equals("PUT") || method.equals("POST"))) {
            Matcher password = PASSWORD.matcher(new String(body, StandardCharsets.UTF_8));
            if (!password.find()) {
                reply(exchange, 400, "{\"error\":{\"type\":\"action_request_validation_exception\",\"reason\":\"password must be specified\"},\"status\":400}");
                return;
            }
            boolean created = state.setProperty("user." + m.group(1), unescape(password.group(1))) == null;
            save();
            reply(exchange, 200, "{\"created\":" + created + "}");
        } else if ((m = ROLE.matcher(path)).matches() && (method.equals("PUT") || method.equals("POST"))) {
            reply(exchange, 200, "{\"role\":{\"created\":true}}");
        } else if ((m = TOKEN.matcher(path)).matches() && method.equals("POST")) {
            if (state.containsKey("token." + m.group(1))) {
                reply(exchange, 409, "{\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"token already exists\"},\"status\":409}");
                return;
            }
            byte[] secret = new byte[24];
            random.nextBytes(secret);
            String value = Base64.getEncoder().encodeToString(("elastic/kibana/" + m.group(1) + ":").getBytes(StandardCharsets.UTF_8))
                + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            state.setProperty("token." + m.group(1), value);
            save();
            reply(exchange, 200, "{\"created\":true,\"token\":{\"name\":\"" + m.group(1) + "\",\"value\":\"" + value + "\"}}");
        } else if ((m = TOKEN.matcher(path)).matches() && method.equals("DELETE")) {
            boolean found = state.remove("token." + m.group(1)) != null;
            save();
            reply(exchange, found ? 200 : 404, "{\"found\":" + found + "}");
        } else {
            forward(exchange, method, body);
        }
    }

    /** The user a request authenticates as, or null. */
    private String authenticate(String authorization, String elasticPassword) {
        if (authorization == null) return null;
        if (authorization.startsWith("Bearer ")) {
            String token = authorization.substring(7);
            return state.stringPropertyNames().stream().anyMatch(k -> k.startsWith("token.") && state.getProperty(k).equals(token)) ? "elastic/kibana" : null;
        }
        if (!authorization.startsWith("Basic ")) return null;
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) return null;
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String expected = name.equals("elastic") ? elasticPassword : state.getProperty("user." + name);
        return expected != null && expected.equals(password) ? name : null;
    }

    private void forward(HttpExchange exchange, String method, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstream + exchange.getRequestURI().toString()))
            .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase())) values.forEach(v -> request.header(name, v));
        });
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.equals(":status")) exchange.getResponseHeaders().put(name, List.copyOf(values));
        });
        byte[] answer = response.body();
        boolean empty = method.equals("HEAD") || answer.length == 0;
        exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : answer.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("X-elastic-product", "Elasticsearch");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized void save() throws IOException {
        try (Writer out = Files.newBufferedWriter(stateFile)) {
            state.store(out, "security stand-in: users and service tokens");
        }
    }

    /** JSON string escapes that a password may carry (es-init escapes quotes and backslashes). */
    private static String unescape(String s) {
        return s.replaceAll("\\\\([\"\\\\/])", "$1");
    }
}
