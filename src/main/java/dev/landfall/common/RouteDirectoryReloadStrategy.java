package dev.landfall.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.StartupListener;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.ResourceReloadStrategySupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps the routes of the user's route directory in step with its files while Landfall runs: a new file starts its
 * routes, an edited file replaces them, a deleted file removes them, and a broken file logs one ERROR line naming the
 * file, the line and the fault while every route keeps running (a broken edit keeps the file's last good routes).
 * <p>
 * Camel's own {@code RouteWatcherReloadStrategy} (camel-main {@code routes-reload-*}, 4.17) does not do this: with
 * {@code remove-all-routes=false} a deleted file keeps its routes and a templatedRoute edit collides with the running
 * route; with {@code true} every route of the application restarts on each change; a broken file is a WARN with a stack
 * trace that is tried again with every later change; a missing directory is never watched; and on a Kubernetes ConfigMap
 * (the kubelet swaps a {@code ..data} symlink and deletes the old timestamped directory) the recursive watcher stops
 * for good. This strategy instead compares the directory with what it loaded every scan interval: a file counts once
 * it reads the same in two scans in a row (an editor half way through a save is not loaded), routes are tracked per
 * file, and only that file's routes and templates are touched.
 */
public class RouteDirectoryReloadStrategy extends ResourceReloadStrategySupport implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(RouteDirectoryReloadStrategy.class);
    private static final Pattern YAML_LINE = Pattern.compile("line (\\d+)");
    private static final Pattern NAMED = Pattern.compile("(?:with id|for|id):? ([\\w.-]+)");

    /** What a file started: its content and the ids of its routes and route templates. */
    private record Loaded(String content, Set<String> routeIds, Set<String> templateIds) {
    }

    private final Path dir;
    private final boolean watch;
    private final long scanIntervalMs;
    private final Map<Path, Loaded> loaded = new HashMap<>();
    private final Map<Path, String> failed = new HashMap<>();
    private Map<Path, String> lastScan = Map.of();
    private ScheduledExecutorService scanner;

    /**
     * @param dir            the directory (its sub-directories too, not those whose name starts with a dot)
     * @param watch          whether to follow changes while running, or only load the files at start
     * @param scanIntervalMs how often the directory is compared with what was loaded
     */
    public RouteDirectoryReloadStrategy(Path dir, boolean watch, long scanIntervalMs) {
        this.dir = dir.toAbsolutePath().normalize();
        this.watch = watch;
        this.scanIntervalMs = scanIntervalMs;
    }

    public Path getDirectory() {
        return dir;
    }

    /** The routes a file of the directory started (empty when it started none, or failed). */
    public synchronized Set<String> routesOf(Path file) {
        Loaded l = loaded.get(file.toAbsolutePath().normalize());
        return l == null ? Set.of() : Set.copyOf(l.routeIds());
    }

    /** The files whose current content failed to load. */
    public synchronized Set<Path> failedFiles() {
        return Set.copyOf(failed.keySet());
    }

    @Override
    public void onReload(Object source) {
        scan(false);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // only onCamelContextFullyStarted
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        if (!Files.isDirectory(dir)) {
            LOG.info("No route directory {} (yet){}", dir, watch ? ": files put there later start their routes" : "");
        }
        scan(true);
        if (watch && scanner == null) {
            scanner = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "RouteDirectoryReload");
            scanner.scheduleWithFixedDelay(() -> scan(false), scanIntervalMs, scanIntervalMs, TimeUnit.MILLISECONDS);
            LOG.info("Route files in {} are reloaded when they change (every {} ms)", dir, scanIntervalMs);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (scanner != null) {
            getCamelContext().getExecutorServiceManager().shutdownNow(scanner);
            scanner = null;
        }
        super.doStop();
    }

    /** Applies what changed since the last scan; at start every file is applied as it reads. */
    synchronized void scan(boolean atStart) {
        CamelContext camel = getCamelContext();
        if (camel.isStopping() || camel.isStopped()) {
            return;
        }
        Map<Path, String> now = read();
        Set<Path> files = new LinkedHashSet<>(loaded.keySet());
        files.addAll(failed.keySet());
        files.addAll(now.keySet());
        for (Path file : files) {
            String content = now.get(file);
            boolean stable = atStart || java.util.Objects.equals(content, lastScan.get(file));
            Loaded current = loaded.get(file);
            boolean changed = content == null ? current != null || failed.containsKey(file)
                    : (current == null || !current.content().equals(content)) && !content.equals(failed.get(file));
            if (stable && changed) {
                apply(file, content);
            }
        }
        lastScan = now;
    }

    private Map<Path, String> read() {
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> isRouteFile(dir.relativize(p))).forEach(p -> {
                try {
                    files.put(p, Files.readString(p, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // gone between listing and reading: the next scan sees it deleted
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("Cannot list {}: {}", dir, e.getMessage());
            return lastScan;
        }
        return files;
    }

    /** YAML files, not under a dot-name (a ConfigMap's {@code ..data} and timestamped directories, editors' files). */
    private boolean isRouteFile(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        String name = relative.toString();
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(dir.resolve(relative));
    }

    /** Replaces the routes of one file by those of its content (none when it is gone); on failure restores the last good ones. */
    private void apply(Path file, String content) {
        ModelCamelContext camel = (ModelCamelContext) getCamelContext();
        if (content != null) {
            try {
                // a file that does not parse leaves its running routes alone
                parse(camel, file, content);
            } catch (Exception e) {
                failed(file, content, e, loaded.containsKey(file) ? " (its routes " + loaded.get(file).routeIds() + " keep running)" : "");
                return;
            }
        }
        Loaded previous = loaded.remove(file);
        if (previous != null) {
            remove(camel, previous);
        }
        if (content == null) {
            failed.remove(file);
            LOG.info("Route file {} deleted: removed routes {}", file, previous == null ? "[]" : previous.routeIds());
            incSucceededCounter();
            return;
        }
        try {
            Loaded now = add(camel, file, content);
            loaded.put(file, now);
            failed.remove(file);
            incSucceededCounter();
            LOG.info("Route file {} {}: started routes {}", file, previous == null ? "loaded" : "reloaded", now.routeIds());
        } catch (Exception e) {
            String kept = "";
            if (previous != null) {
                try {
                    loaded.put(file, add(camel, file, previous.content()));
                    kept = " (its previous routes " + previous.routeIds() + " run again)";
                } catch (Exception again) {
                    LOG.debug("Cannot restore the previous routes of {}", file, again);
                }
            }
            failed(file, content, e, kept);
        }
    }

    private void failed(Path file, String content, Exception e, String kept) {
        failed.put(file, content);
        setLastError(e);
        incFailedCounter();
        LOG.error("Route file {} not loaded: {}{}", file, describe(e, content), kept);
        LOG.debug("Route file {} not loaded", file, e);
    }

    private static Collection<RoutesBuilder> parse(CamelContext camel, Path file, String content) throws Exception {
        // Camel's loader reads the YAML lazily, when the routes are added: read it whole first
        new Load(LoadSettings.builder().build()).loadAllFromString(content).forEach(document -> { });
        Resource resource = ResourceHelper.fromString("file:" + file, content);
        return PluginHelper.getRoutesLoader(camel).findRoutesBuilders(List.of(resource));
    }

    private Loaded add(ModelCamelContext camel, Path file, String content) throws Exception {
        Set<String> routesBefore = routeIds(camel);
        Set<String> templatesBefore = templateIds(camel);
        try {
            Collection<RoutesBuilder> builders = parse(camel, file, content);
            for (RoutesBuilder builder : builders) {
                camel.addRoutes(builder);
            }
            // templatedRoutes go apart, after every template is known (as camel-main does at start)
            for (RoutesBuilder builder : builders) {
                builder.addTemplatedRoutesToCamelContext(camel);
            }
            // the supervising route controller adds routes to a running context stopped; it starts (and retries) them
            for (String id : added(routesBefore, routeIds(camel))) {
                if (camel.getRouteController().getRouteStatus(id) != ServiceStatus.Started) {
                    camel.getRouteController().startRoute(id);
                }
            }
        } catch (Exception e) {
            // a file loads whole or not at all
            remove(camel, new Loaded(content, added(routesBefore, routeIds(camel)), added(templatesBefore, templateIds(camel))));
            throw e;
        }
        return new Loaded(content, added(routesBefore, routeIds(camel)), added(templatesBefore, templateIds(camel)));
    }

    private static void remove(ModelCamelContext camel, Loaded routes) {
        for (String id : routes.routeIds()) {
            try {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("Cannot remove route {}: {}", id, e.getMessage());
            }
        }
        for (String id : routes.templateIds()) {
            try {
                camel.removeRouteTemplates(id);
            } catch (Exception e) {
                LOG.warn("Cannot remove route template {}: {}", id, e.getMessage());
            }
        }
    }

    private static Set<String> routeIds(CamelContext camel) {
        return camel.getRoutes().stream().map(Route::getRouteId).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Set<String> templateIds(ModelCamelContext camel) {
        return camel.getRouteTemplateDefinitions().stream().map(RouteTemplateDefinition::getId)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static Set<String> added(Set<String> before, Set<String> after) {
        Set<String> added = new LinkedHashSet<>(after);
        added.removeAll(before);
        return added;
    }

    /** One line: where in the file (when known) and the innermost cause, without secrets or line breaks. */
    static String describe(Exception e, String content) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        Throwable root = chain.get(chain.size() - 1);
        String what = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        Integer line = null;
        for (Throwable t : chain) {
            Matcher m = YAML_LINE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                line = Integer.parseInt(m.group(1));
                // the YAML parser's own lines, without its excerpt of the file and the position already given
                what = t.getMessage().lines().filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                        .collect(Collectors.joining("; "));
                break;
            }
        }
        if (line == null) {
            line = lineOf(content, nameIn(chain));
        }
        what = URISupport.sanitizeUri(what).replaceAll("\\s+", " ").trim();
        return (line == null ? "" : "line " + line + ": ") + what;
    }

    /** The bean, template or route the failure is about, to find its line in the file. */
    private static String nameIn(List<Throwable> chain) {
        for (Throwable t : chain) {
            if (t instanceof NoSuchBeanException nsb && nsb.getName() != null) {
                return nsb.getName();
            }
        }
        for (Throwable t : chain) {
            Matcher m = NAMED.matcher(String.valueOf(t.getMessage()));
            if (!(t instanceof FailedToCreateRouteException) && m.find()) {
                return m.group(1);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof FailedToCreateRouteException f) {
                return f.getRouteId();
            }
        }
        return null;
    }

    private static Integer lineOf(String content, String name) {
        if (name == null || name.isBlank()) {
            return null;
        }
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(name)) {
                return i + 1;
            }
        }
        return null;
    }
}
