import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.regex.Pattern;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * DynamoDB Local, reachable from this machine only.
 *
 * DynamoDB Local has no option for the address it listens on: its
 * DynamoDBProxyServer builds a Jetty 9.4 {@code new Server(port)}, whose
 * connector binds every interface, and it answers any {@code Host} with
 * permissive CORS and any credentials. This launcher (run by
 * scripts/local/dynamodb-local.ts with Java's single-file source mode, so
 * nothing is compiled or downloaded ahead) builds the same server from the
 * same command line, then, before it starts:
 *  - binds its connectors to 127.0.0.1 only, and
 *  - answers 421 to any request whose Host is not 127.0.0.1, localhost or
 *    [::1] (with an optional port), so a web page that rebinds its own name
 *    to 127.0.0.1 cannot use it either.
 * Arguments are DynamoDB Local's own ({@code -port}, {@code -dbPath}, ...).
 */
public class LoopbackDynamoDBLocal {
  static final Pattern LOCAL_HOST = Pattern.compile("^(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d{1,5})?$", Pattern.CASE_INSENSITIVE);

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    if (proxy == null) return; // -help or -version
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector c : server.getConnectors()) {
      if (!(c instanceof ServerConnector)) throw new IllegalStateException("unexpected connector " + c);
      ((ServerConnector) c).setHost("127.0.0.1");
    }
    server.insertHandler(new HandlerWrapper() {
      @Override
      public void handle(String target, Request base, HttpServletRequest req, HttpServletResponse res) throws IOException, javax.servlet.ServletException {
        String host = req.getHeader("Host");
        if (host == null || !LOCAL_HOST.matcher(host).matches()) {
          base.setHandled(true);
          res.setStatus(421);
          res.setContentType("application/json");
          res.getWriter().write("{\"error\":{\"code\":\"misdirected_request\",\"message\":\"DynamoDB Local answers only Host 127.0.0.1, localhost or [::1]\"}}");
          return;
        }
        super.handle(target, base, req, res);
      }
    });
    proxy.start();
    System.out.println("DynamoDB Local listening on 127.0.0.1 only");
    proxy.join();
  }
}
