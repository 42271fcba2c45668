package dev.landfall.meters;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads EAGLE answers, which may be several XML fragments side by side, with a parser that refuses DTDs and entities.
 */
final class EagleXml {

    static final int MAX_BODY_CHARS = 1_000_000;

    private static final String WRAPPER = "EagleAnswer";
    private static final DocumentBuilderFactory FACTORY = secureFactory();
    private static final ErrorHandler FAIL_ON_FATAL = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) {
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
            throw e;
        }
    };

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
        String fragments = withoutDeclaration(text);
        DocumentBuilder builder;
        try {
            synchronized (FACTORY) {
                builder = FACTORY.newDocumentBuilder();
            }
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no secure XML parser", e);
        }
        builder.setErrorHandler(FAIL_ON_FATAL);
        String wrapped = "<" + WRAPPER + ">" + fragments + "</" + WRAPPER + ">";
        try {
            return builder.parse(new InputSource(new StringReader(wrapped))).getDocumentElement();
        } catch (SAXException | IOException e) {
            throw EagleErrors.unreadable(text, "response is not well-formed XML (DTDs and entities are refused)");
        }
    }

    static boolean named(Element element, String name) {
        return element.getTagName().equalsIgnoreCase(name);
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    static boolean isLeaf(Element element) {
        for (Node n = element.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element) {
                return false;
            }
        }
        return true;
    }

    /** The first child element of that name, ignoring case as the manuals allow; null when there is none. */
    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && named(e, name)) {
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
        String text = element.getTextContent().trim();
        return text.isEmpty() ? null : text;
    }

    /** All elements below root, in document order. */
    static List<Element> descendants(Element root) {
        NodeList all = root.getElementsByTagName("*");
        List<Element> out = new ArrayList<>(all.getLength());
        for (int i = 0; i < all.getLength(); i++) {
            out.add((Element) all.item(i));
        }
        return out;
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

    private static DocumentBuilderFactory secureFactory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser cannot be secured", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        f.setValidating(false);
        f.setIgnoringComments(true);
        f.setCoalescing(true);
        return f;
    }
}
