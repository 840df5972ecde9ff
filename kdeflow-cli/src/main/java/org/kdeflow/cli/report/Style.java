package org.kdeflow.cli.report;

/** The report's style sheet: CSS 2.1 (what openhtmltopdf understands), inline in the document, no web fonts. */
final class Style {
    private Style() {
    }

    static final String CSS = """
            @page { size: A4; margin: 18mm 16mm 20mm 16mm;
              @bottom-center { content: counter(page) " / " counter(pages); font-family: 'DejaVu Sans', sans-serif;
                               font-size: 8pt; color: #666; } }
            html { background: #fff; }
            body { font-family: 'DejaVu Serif', 'Liberation Serif', Georgia, serif; font-size: 10.5pt; line-height: 1.45;
                   color: #1a1a1a; max-width: 52em; margin: 0 auto; padding: 1em 1.5em; }
            h1, h2, h3, h4, h5, .toc-title { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
                   color: #123; line-height: 1.2; }
            h1 { font-size: 20pt; margin: 0.2em 0 0.4em 0; }
            h2 { font-size: 15pt; border-bottom: 1px solid #bbb; padding-bottom: 0.15em; margin-top: 1.6em;
                 page-break-after: avoid; }
            h3 { font-size: 12.5pt; margin-top: 1.3em; page-break-after: avoid; }
            h4 { font-size: 11pt; margin-top: 1.1em; page-break-after: avoid; }
            p { margin: 0.45em 0; }
            p.lead { color: #333; }
            code { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; font-size: 0.9em; background: #f3f3f3;
                   padding: 0 0.15em; }
            nav { margin: 1em 0 1.5em 0; padding: 0.3em 1em; background: #f7f7f7; border: 1px solid #ddd;
                  page-break-after: always; }
            nav .toc-title { font-size: 12pt; border: none; margin: 0.4em 0; }
            ol.toc, ol.toc ol { margin: 0.1em 0; padding-left: 1.4em; }
            ol.toc a { color: #124; text-decoration: none; }
            .equation { margin: 0.6em 0; text-align: center; page-break-inside: avoid; }
            math { font-family: 'STIX Two Math', 'Latin Modern Math', 'Cambria Math', 'DejaVu Math TeX Gyre',
                   'DejaVu Serif', math; }
            .nobr { white-space: nowrap; }
            .keep { page-break-inside: avoid; }
            .equation math { display: inline-block; math-style: normal; }
            @media print { math { font-family: 'DejaVu Serif'; }
                           p math, li math { vertical-align: -0.3em; } }
            mtable.aligned mtd { padding: 0.1em 0.15em; }
            mtable.aligned mtd[columnalign="right"] { text-align: right; }
            mtable.aligned mtd[columnalign="left"] { text-align: left; }
            .figure { margin: 0.9em 0; text-align: center; page-break-inside: avoid; }
            .figure img { max-width: 100%; border: none; }
            a.figure-link { display: block; text-decoration: none; }
            .caption, caption { font-size: 9pt; color: #333; text-align: left; margin: 0.3em 0; }
            caption { caption-side: top; padding-bottom: 0.3em; text-align: center; }
            .label { font-weight: bold; }
            table { border-collapse: collapse; margin: 0.9em auto; font-size: 8.5pt; page-break-inside: avoid; }
            th, td { white-space: nowrap; border-top: 1px solid #ccc; border-bottom: 1px solid #ccc; padding: 0.2em 0.45em; }
            th { white-space: normal; background: #eef2f5; font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif;
                 font-weight: bold; text-align: center; }
            td.num { text-align: right; white-space: nowrap; font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; }
            ul { margin: 0.4em 0; }
            table.images { border-collapse: collapse; margin: 0 auto; width: 100%; page-break-inside: avoid; }
            table.images td { border: none; padding: 0 0.2em; vertical-align: top; text-align: center; }
            """;
}
