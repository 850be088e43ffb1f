#!/usr/bin/python3
"""png_check.py - did a browser really render the matrix page?

    png_check.py SCREENSHOT.png WIDTH HEIGHT MATRIX.html

The screenshot must be a WIDTH x HEIGHT PNG (the browser's window), not
blank (at least 2% of its pixels not white, and more than 64 distinct
colours: text, rules and fills, not a flat page), and show the matrix:
the header grey and the fill of every capability class the page's matrix
table uses (FULL, HALF, NONE), each over at least 200 pixels, in the top
part of the image where the matrix is. Reads the PNG with Debian's
python3-pil. Exit status 0 rendered, 1 not, 2 the check could not run.
"""
import re
import sys

try:
    from PIL import Image
except ImportError as e:
    print("error: %s (Debian package python3-pil; run with /usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

# The page's own colours (userspace/report/matrix_html.c): header cells and capability fills.
FILLS = {"header": (0xf3, 0xf3, 0xf3), "FULL": (0xe3, 0xf4, 0xe4), "HALF": (0xff, 0xf4, 0xd6),
         "NONE": (0xfb, 0xe3, 0xe3)}
MIN_FILL = 200


def main():
    if len(sys.argv) != 5:
        print("usage: png_check.py SCREENSHOT.png WIDTH HEIGHT MATRIX.html", file=sys.stderr)
        return 2
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        im = Image.open(path)
        im.load()
        with open(sys.argv[4], encoding="utf-8") as f:
            page = f.read()
    except (OSError, ValueError) as e:
        print("error: cannot read input: %s" % e, file=sys.stderr)
        return 2
    problems = []
    if im.format != "PNG" or im.size != (width, height):
        problems.append("%s: a %s image of %dx%d, not a %dx%d PNG" % (path, im.format, im.size[0], im.size[1],
                                                                     width, height))
    rgb = im.convert("RGB")
    colours = rgb.getcolors(maxcolors=1 << 24)
    total = rgb.size[0] * rgb.size[1]
    white = sum(n for n, c in colours if c == (255, 255, 255))
    if total - white < 0.02 * total or len(colours) <= 64:
        problems.append("%s: blank: %.1f%% of the pixels are not white, %d distinct colours"
                        % (path, 100.0 * (total - white) / total, len(colours)))
    table = page[page.find("<table>"):page.find("</table>")]
    wanted = ["header"] + [c for c in ("FULL", "HALF", "NONE") if re.search(r'<td class="%s">' % c, table)]
    top = dict((c, n) for n, c in rgb.crop((0, 0, rgb.size[0], min(rgb.size[1], 900))).getcolors(1 << 24))
    for name in wanted:
        if top.get(FILLS[name], 0) < MIN_FILL:
            problems.append("%s: the matrix's %s colour #%02x%02x%02x covers %d pixel(s) of the top 900 rows, "
                            "fewer than %d: the matrix did not render" % ((path, name) + FILLS[name] +
                                                                          (top.get(FILLS[name], 0), MIN_FILL)))
    for p in problems:
        print(p)
    print("screenshot: %dx%d, %.1f%% not white, %d colours, matrix colours %s: %s"
          % (rgb.size[0], rgb.size[1], 100.0 * (total - white) / total, len(colours), ", ".join(wanted),
             "rendered" if not problems else "NOT rendered"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
