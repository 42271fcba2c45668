package dev.landfall;

import org.apache.camel.main.Main;

/** Starts Landfall on camel-main; settings come from application.properties, the profile and the environment. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
            System.out.println(Usage.TEXT);
            return;
        }
        create().run(args);
    }

    /** The Main that both {@code main} and the tests start. */
    public static Main create() {
        // the package scan finds LandfallConfiguration (@Configuration) beside this class
        return new Main(Application.class);
    }
}
