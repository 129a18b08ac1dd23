"""The WordprocessingML namespace, spelled once for the reader and for the annotated copies.

Element names are written as W + "p", W + "tbl" …, lxml's {namespace}name form.
Only the standard library: importing it costs nothing on the command's fast paths.
"""

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
