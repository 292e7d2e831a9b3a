import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import kotlin.jvm.functions.Function1;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequestHandler;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;

/**
 * The local OpenID provider: mock-oauth2-server as its standalone main runs it
 * (JSON_CONFIG_PATH, SERVER_HOSTNAME, SERVER_PORT), with one change so that it
 * behaves like Auth0: an ID token's audience is the client it was issued to,
 * and only that client.
 *
 * The mock copies a request mapping's claims into both tokens, and reads the
 * access token's audience from the same `aud` claim, so no configuration can give
 * the two tokens different audiences (nor a different `typ`): there an ID token
 * lists the API audience and passes as an API bearer. Here every token response
 * that carries an `id_token` gets it back with `aud` set to the requesting client
 * id, re-signed with the issuer's own key (same `kid`). Access tokens are untouched.
 *
 * Run by devmesh/launcher/infra.py as a single-file source program:
 * `java -cp <the mock's jars> devmesh/oidc/LocalProvider.java`.
 */
public final class LocalProvider {
    private LocalProvider() {}

    public static void main(String[] args) throws Exception {
        System.setProperty(
                "logback.configurationFile", env("LOGBACK_CONFIG", "logback-standalone.xml"));
        OAuth2Config parsed =
                OAuth2Config.Companion.fromJson(
                        Files.readString(Path.of(env("JSON_CONFIG_PATH", "config.json"))));
        // Generated at each start, as the mock does when the config names no keys.
        KeyProvider keys = new KeyProvider(List.of(), "RS256");
        OAuth2Config config =
                new OAuth2Config(
                        parsed.getInteractiveLogin(),
                        parsed.getLoginPagePath(),
                        parsed.getStaticAssetsPath(),
                        parsed.getRotateRefreshToken(),
                        new OAuth2TokenProvider(keys, (Instant) null),
                        parsed.getTokenCallbacks(),
                        parsed.getHttpServer());
        Function1<OAuth2HttpRequest, OAuth2HttpResponse> routes =
                new OAuth2HttpRequestHandler(config).getAuthorizationServer();
        Function1<OAuth2HttpRequest, OAuth2HttpResponse> handler =
                request -> {
                    OAuth2HttpResponse response = routes.invoke(request);
                    return isTokenResponse(request, response)
                            ? withClientAudience(request, response, keys)
                            : response;
                };
        config.getHttpServer()
                .start(
                        InetAddress.getByName(env("SERVER_HOSTNAME", "127.0.0.1")),
                        Integer.parseInt(env("SERVER_PORT", "8080")),
                        handler);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private static boolean isTokenResponse(OAuth2HttpRequest request, OAuth2HttpResponse response) {
        return "POST".equals(request.getMethod())
                && request.getUrl().encodedPath().endsWith("/token")
                && response.getStatus() == 200
                && response.getBody() != null
                && response.getBody().contains("\"id_token\"");
    }

    /** The response with its ID token's `aud` replaced by the requesting client. */
    private static OAuth2HttpResponse withClientAudience(
            OAuth2HttpRequest request, OAuth2HttpResponse response, KeyProvider keys) {
        try {
            Map<String, Object> body = JSONObjectUtils.parse(response.getBody());
            SignedJWT idToken = SignedJWT.parse((String) body.get("id_token"));
            JWTClaimsSet claims =
                    new JWTClaimsSet.Builder(idToken.getJWTClaimsSet())
                            .audience(clientId(request.asNimbusTokenRequest()))
                            .build();
            JWSHeader header = idToken.getHeader();
            SignedJWT resigned = new SignedJWT(header, claims);
            resigned.sign(
                    new RSASSASigner(keys.signingKey(header.getKeyID()).toRSAKey().toPrivateKey()));
            body.put("id_token", resigned.serialize());
            String json = JSONObjectUtils.toJSONString(body);
            Headers headers =
                    response.getHeaders()
                            .newBuilder()
                            .set(
                                    "Content-Length",
                                    String.valueOf(json.getBytes(StandardCharsets.UTF_8).length))
                            .build();
            return new OAuth2HttpResponse(headers, 200, json, null);
        } catch (Exception err) {
            // Never hand out the ID token that would pass as an API bearer.
            System.err.println("LocalProvider: cannot set the ID token's audience: " + err);
            return new OAuth2HttpResponse(
                    Headers.of("Content-Type", "application/json"),
                    500,
                    "{\"error\":\"server_error\",\"error_description\":\"id_token audience\"}",
                    null);
        }
    }

    private static String clientId(TokenRequest request) {
        ClientID id =
                request.getClientAuthentication() != null
                        ? request.getClientAuthentication().getClientID()
                        : request.getClientID();
        if (id == null) {
            throw new IllegalArgumentException("token request names no client");
        }
        return id.getValue();
    }
}
