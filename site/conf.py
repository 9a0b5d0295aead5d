"""Sphinx configuration of the course's static site (built by `make site`, see the README).

Sphinx + MyST-NB + sphinx-book-theme, the stack Jupyter Book 1 wraps, used directly: the
committed notebooks are rendered with their outputs as they are (no execution), and nothing
is fetched from the network when a page opens (no CDN, no launch buttons, no analytics).
"""

project = "mnist-tutorial"
author = "mnist-tutorial contributors"
copyright = "mnist-tutorial contributors"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
suppress_warnings = ["mystnb.unknown_mime_type"]

# The committed outputs are the course: never execute.
nb_execution_mode = "off"
# No require.js / widget manager from a CDN (the notebooks have no widgets).
nb_ipywidgets_js = {}
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "MNIST with Keras: a tutorial"
html_static_path = ["_static"]
# course.css: contrast of coloured outputs, long lines, phones, focus rings, print. draw.css
# only on the draw page (`setup` below), so that no other page loads it.
html_css_files = ["course.css"]
# course.js: the theme's sidebar buttons wired (pydata-sphinx-theme #2451), copy buttons,
# search excerpts when the site is opened from disk.
html_js_files = [("course.js", {"defer": "defer"})]
templates_path = ["_templates"]
html_last_updated_fmt = None
html_show_sourcelink = False
# The notebooks' sources are copied so that each page's download button offers its .ipynb.
html_copy_source = True
html_sourcelink_suffix = ""
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
    # Off: with it, the left and right arrows turned the page even while a reader scrolled a
    # focused code block or figure sideways with them.
    "navigation_with_keys": False,
    "show_prev_next": True,
}
# Light or dark as the reader's system prefers, until the reader chooses with the switch.
html_context = {"default_mode": "auto"}
html_favicon = "_static/favicon.png"
# Math, on pages that have some, from a local MathJax 3 (SVG output: no web fonts, which
# browsers refuse to load from file://); scripts/build_site.py vendors it from npm.
mathjax_path = "mathjax/tex-svg-full.js"


def _draw_page_css(app, pagename, templatename, context, doctree) -> None:  # noqa: ANN001
    if pagename == "draw":
        app.add_css_file("draw.css")


def setup(app) -> None:  # noqa: ANN001
    app.connect("html-page-context", _draw_page_css)
