package dev.landfall;

/** The {@code --help} text. */
final class Usage {

    static final String TEXT = """
            Landfall: lands files, logs and device readings in S3 and DynamoDB (Apache Camel).

            Usage: java -jar landfall.jar [--help]
            Production: CAMEL_MAIN_PROFILE=prod java -XX:+ExitOnOutOfMemoryError -jar landfall.jar

            Every setting is a property in application.properties and can be overridden by an
            environment variable (dots and dashes become underscores, upper case) or -Dkey=value:
              CAMEL_MAIN_PROFILE          local (embedded servers) | prod (AWS, default credentials chain)
              LANDFALL_AWS_REGION         AWS region (prod: from the default region chain when empty)
              LANDFALL_STATE_TABLE        DynamoDB table for idempotency keys and locks
              LANDFALL_DEAD_LETTER_BUCKET S3 bucket for dead letters
              LANDFALL_FACILITY_LOGS_BUCKET  S3 bucket for facility monthly logs
              LANDFALL_CLUSTER_TYPE       file (default) | kubernetes: how replicas elect one poller
                                          (CAMEL_MAIN_PROFILE=kubernetes sets it, with the prod settings)
              LANDFALL_CONFIG             a properties file applied over all of the above (facilities, buckets)
              LANDFALL_MANAGEMENT_HOST    address of the management server (prod: 127.0.0.1)
              LANDFALL_PAGE_VIEWS_AGGREGATES_TABLE  DynamoDB table of page-view counts (create it in prod)
              LANDFALL_ARRIVALS_MAX_ATTEMPTS  failures before an S3 object is quarantined (default 5)
              LANDFALL_OUTAGE_LOG_INTERVAL_MS  at most one WARN line per failing dependency this often
            Facilities are route templates: camel.routeTemplate[facility-logs-poll-<name>].*
            (see application.properties).
            Ports must be given as -D system properties (camel-main ignores *_PORT environment variables).

            Observe: http://127.0.0.1:9876/observe/health (/ready, /live), /observe/metrics, /observe/jolokia
            (read-only statistics). Replay a dead letter: POST /admin/dead-letter/replay?key=dead-letter/...json
            Remote JMX is off; turn it on only with authentication and TLS (see the README, Production).
            """;

    private Usage() {
    }
}
