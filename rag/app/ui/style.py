"""How the chat UI looks: theme, CSS and the small scripts its components run."""

import gradio as gr

# System fonts only: the default theme would fetch Google Fonts, and the app runs offline.
THEME = gr.themes.Default(
    font=["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
)
CSS = """
.rag-answer p { margin: 0 0 .5em 0; }
.rag-searched, .rag-hint { font-size: .85em; opacity: .75; }
.rag-pending { opacity: .7; font-style: italic; }
.rag-notfound { font-weight: 600; }
a.rag-cite { text-decoration: none; font-weight: 600; padding: 0 .25em; border-radius: 4px;
             color: var(--color-accent); background: var(--color-accent-soft); }
a.rag-cite:hover { text-decoration: underline; }
/* Gradio sets overflow on blocks itself; the panel must scroll on its own, not the page. */
#sources { max-height: 64vh; overflow-y: auto !important; overflow-anchor: none; padding-right: .4em; }
.rag-group h4 { margin: .2em 0 .4em 0; font-size: .95em; }
.rag-group + .rag-group { margin-top: 1.2em; padding-top: .8em;
                          border-top: 1px solid var(--border-color-primary); }
.rag-question { font-weight: 400; }
.rag-source { border-left: 3px solid var(--border-color-primary); padding: .3em .7em;
              margin: .5em 0; border-radius: 4px; scroll-margin: .5em; }
.rag-source:target { border-left-color: var(--color-accent);
                     background: var(--background-fill-secondary);
                     animation: rag-flash 1.6s ease-out; }
@keyframes rag-flash { from { box-shadow: 0 0 0 3px var(--color-accent); } to { box-shadow: none; } }
.rag-source-meta { font-size: .8em; opacity: .75; }
.rag-passage { white-space: pre-wrap; font-size: .9em; margin-top: .3em; line-height: 1.45; }
.rag-passage mark { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 2px; }
.rag-notice { font-size: .85em; color: var(--error-text-color, #b91c1c); }
.rag-draft { font-size: .9em; border-left: 3px solid var(--border-color-primary);
             padding-left: .6em; white-space: pre-wrap; }
.rag-tail { opacity: .7; font-style: italic; }
.rag-mark { font-size: .8em; color: #15803d; }
.rag-sentence.rag-reattributed .rag-mark { color: #b45309; }
.rag-checked { font-size: .8em; opacity: .7; }
.rag-suspicious { font-size: .85em; color: var(--error-text-color, #b91c1c); margin: .2em 0; }
.rag-flag { font-size: .8em; color: var(--error-text-color, #b91c1c); }
.rag-status .rag-error, .rag-answer .rag-error { color: var(--error-text-color, #b91c1c); }
.rag-as-of { font-weight: 600; }
.rag-support { font-size: .75em; opacity: .7; white-space: nowrap; }
#timeline-sources { max-height: 70vh; overflow-y: auto !important; }
.rag-timeline { padding-left: 1.2em; }
.rag-event { margin: .35em 0; }
.rag-when { font-weight: 600; margin-right: .4em; }
.rag-event.rag-article .rag-when, .rag-event.rag-undated .rag-when { opacity: .7; font-style: italic; }
"""

# The newest answer's sources go on top: show them when they arrive, even if the panel
# was scrolled down to an older answer's source.
SCROLL_TO_NEWEST = "watch('value', () => element.closest('#sources')?.scrollTo(0, 0));"
