package org.kdeflow.cli.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node of a small XML tree that can only be serialised well-formed: element names are checked, attribute values and
 * text are escaped. The report is built from these so that openhtmltopdf (an XML parser) and browsers read the same file.
 */
public sealed interface Node permits Node.Element, Node.Text {

    /** Appends this node's XML to {@code out}. */
    void write(StringBuilder out);

    /** Plain text content. */
    record Text(String value) implements Node {
        public Text {
            Objects.requireNonNull(value, "text");
        }

        @Override
        public void write(StringBuilder out) {
            escape(value, out, false);
        }
    }

    /** An element with ordered attributes and children. Mutable while the document is assembled. */
    final class Element implements Node {
        private static final java.util.Set<String> VOID = java.util.Set.of("img", "br", "hr", "meta", "link", "col");
        private final String name;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final List<Node> children = new ArrayList<>();

        public Element(String name) {
            if (!name.matches("[A-Za-z][A-Za-z0-9:_-]*")) {
                throw new IllegalArgumentException("not an XML element name: '" + name + "'");
            }
            this.name = name;
        }

        public String name() {
            return name;
        }

        /** Sets an attribute and returns this element. */
        public Element attr(String key, String value) {
            if (!key.matches("[A-Za-z][A-Za-z0-9:_-]*")) {
                throw new IllegalArgumentException("not an XML attribute name: '" + key + "'");
            }
            attributes.put(key, Objects.requireNonNull(value, key));
            return this;
        }

        public String attr(String key) {
            return attributes.get(key);
        }

        /** Appends children (elements, or strings as text) and returns this element. */
        public Element add(Object... parts) {
            for (Object p : parts) {
                if (p instanceof Node n) {
                    children.add(n);
                } else if (p instanceof CharSequence s) {
                    children.add(new Text(s.toString()));
                } else if (p instanceof Iterable<?> it) {
                    for (Object o : it) {
                        add(o);
                    }
                } else {
                    throw new IllegalArgumentException("cannot add " + (p == null ? "null" : p.getClass()) + " to <" + name + ">");
                }
            }
            return this;
        }

        /** Replaces the children by one text node. */
        public Element text(String value) {
            children.clear();
            children.add(new Text(value));
            return this;
        }

        public List<Node> children() {
            return Collections.unmodifiableList(children);
        }

        /** All descendant elements (depth first, this one included) with the given name. */
        public List<Element> findAll(String elementName) {
            List<Element> found = new ArrayList<>();
            collect(elementName, found);
            return found;
        }

        private void collect(String elementName, List<Element> found) {
            if (name.equals(elementName)) {
                found.add(this);
            }
            for (Node c : children) {
                if (c instanceof Element e) {
                    e.collect(elementName, found);
                }
            }
        }

        /** The concatenated text of all descendants. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            appendText(sb);
            return sb.toString();
        }

        private void appendText(StringBuilder sb) {
            for (Node c : children) {
                if (c instanceof Text t) {
                    sb.append(t.value());
                } else if (c instanceof Element e) {
                    e.appendText(sb);
                }
            }
        }

        @Override
        public void write(StringBuilder out) {
            out.append('<').append(name);
            for (Map.Entry<String, String> a : attributes.entrySet()) {
                out.append(' ').append(a.getKey()).append("=\"");
                escape(a.getValue(), out, true);
                out.append('"');
            }
            if (children.isEmpty() && VOID.contains(name)) {
                // HTML's void elements are the only ones an HTML parser lets close themselves.
                out.append("/>");
                return;
            }
            out.append('>');
            for (Node c : children) {
                c.write(out);
            }
            out.append("</").append(name).append('>');
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            write(sb);
            return sb.toString();
        }
    }

    /** Escapes text for XML; control characters other than tab and newline are rejected. */
    static void escape(String s, StringBuilder out, boolean attribute) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        throw new IllegalArgumentException("control character U+" + Integer.toHexString(c)
                                + " cannot appear in XML text");
                    }
                    out.append(c);
                }
            }
        }
    }

    /** A new element. */
    static Element el(String name, Object... children) {
        return new Element(name).add(children);
    }
}
