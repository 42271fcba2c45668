package dev.landfall.meters;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads EAGLE answers, which may be several XML fragments side by side, into a small tree of elements and their text,
 * with a streaming parser that refuses DTDs and entities (an EAGLE's answer is a few hundred bytes: building a DOM for it
 * cost more than everything else a poll does, seen in a profile at 10,000 gateways).
 */
final class EagleXml {

    static final int MAX_BODY_CHARS = 1_000_000;

    private static final String WRAPPER = "EagleAnswer";
    private static final XMLInputFactory FACTORY = secureFactory();

    /** An element: its name, its own text and its child elements, in document order. */
    static final class Element {
        private final String name;
        private final StringBuilder text = new StringBuilder();
        private final List<Element> children = new ArrayList<>(4);

        Element(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        /** The text of the element and all below it, as the DOM's textContent. */
        String textContent() {
            if (children.isEmpty()) {
                return text.toString();
            }
            StringBuilder all = new StringBuilder(text);
            for (Element c : children) {
                all.append(c.textContent());
            }
            return all.toString();
        }
    }

    private EagleXml() {
    }

    /** The body without byte order mark and surrounding blanks; throws when there is nothing, or far too much. */
    static String prepare(String body) {
        if (body == null) {
            throw new EagleResponseException("empty response");
        }
        int start = 0;
        int end = body.length();
        while (start < end && (Character.isWhitespace(body.charAt(start)) || body.charAt(start) == '\uFEFF')) {
            start++;
        }
        while (end > start && Character.isWhitespace(body.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            throw new EagleResponseException("empty response");
        }
        if (end - start > MAX_BODY_CHARS) {
            throw new EagleResponseException("response too large");
        }
        return body.substring(start, end);
    }

    /**
     * Parses prepared text as the children of one synthetic root element, so that an answer made of several top-level
     * fragments (get_device_data) reads like one made of a single element.
     */
    static Element parse(String text) {
        String wrapped = "<" + WRAPPER + ">" + withoutDeclaration(text) + "</" + WRAPPER + ">";
        XMLStreamReader r = null;
        try {
            r = FACTORY.createXMLStreamReader(new StringReader(wrapped));
            Deque<Element> open = new ArrayDeque<>();
            Element root = null;
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        Element e = new Element(r.getLocalName());
                        if (open.isEmpty()) {
                            root = e;
                        } else {
                            open.peek().children.add(e);
                        }
                        open.push(e);
                    }
                    case XMLStreamConstants.END_ELEMENT -> open.pop();
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (!open.isEmpty()) {
                            open.peek().text.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                        }
                    }
                    case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                            throw new XMLStreamException("DTDs and entities are refused");
                    default -> {
                        // comments and processing instructions carry nothing
                    }
                }
            }
            if (root == null) {
                throw new XMLStreamException("no element");
            }
            return root;
        } catch (XMLStreamException | RuntimeException e) {
            throw EagleErrors.unreadable(text, "response is not well-formed XML (DTDs and entities are refused)");
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing held
                }
            }
        }
    }

    static boolean named(Element element, String name) {
        return element.name.equalsIgnoreCase(name);
    }

    static List<Element> children(Element parent) {
        return parent.children;
    }

    static boolean isLeaf(Element element) {
        return element.children.isEmpty();
    }

    /** The first child element of that name, ignoring case as the manuals allow; null when there is none. */
    static Element child(Element parent, String name) {
        for (Element e : parent.children) {
            if (named(e, name)) {
                return e;
            }
        }
        return null;
    }

    /** Trimmed text of the named child, or null when it is missing or blank. */
    static String childText(Element parent, String name) {
        Element child = child(parent, name);
        return child == null ? null : textOrNull(child);
    }

    static String textOrNull(Element element) {
        String text = element.textContent().trim();
        return text.isEmpty() ? null : text;
    }

    /** All elements below root, in document order. */
    static List<Element> descendants(Element root) {
        List<Element> out = new ArrayList<>();
        addDescendants(root, out);
        return out;
    }

    private static void addDescendants(Element parent, List<Element> out) {
        for (Element c : parent.children) {
            out.add(c);
            addDescendants(c, out);
        }
    }

    static List<Element> descendants(Element root, String name) {
        List<Element> out = new ArrayList<>();
        for (Element e : descendants(root)) {
            if (named(e, name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String withoutDeclaration(String text) {
        if (!text.startsWith("<?xml")) {
            return text;
        }
        int end = text.indexOf("?>");
        return end < 0 ? text : text.substring(end + 2);
    }

    private static XMLInputFactory secureFactory() {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        f.setProperty(XMLInputFactory.IS_VALIDATING, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }
}
