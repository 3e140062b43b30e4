""""Copy as Markdown" and "Download" under each finished answer in the chat.

The answer's Markdown (rag/app/export.py) travels inside its chat message, percent-encoded in
the title of a hidden span (the chat's sanitiser drops <textarea> and data-* attributes,
and any attribute holding "</script" or "]>", which the corpus or Markdown escapes may), so both buttons work
in the browser alone: one script, loaded once with the page, copies it to the clipboard
or saves it as a file.
"""

import re
from urllib.parse import quote

from rag.answer import Answer
from rag.app.export import to_markdown


def file_name(answer: Answer, turn: int) -> str:
    words = re.findall(r"[a-z0-9]+", answer.question.lower())[:8]
    return f"answer-{turn}-{'-'.join(words) or 'question'}.md"


def answer_actions(answer: Answer, turn: int) -> str:
    return ('<div class="rag-actions">'
            '<button type="button" class="rag-copy-md">Copy as Markdown</button>'
            '<button type="button" class="rag-download-md">Download</button>'
            f'<span class="rag-md" title="{quote(to_markdown(answer))}"></span>'
            f'<span class="rag-md-file" title="{quote(file_name(answer, turn))}"></span></div>')


# Listens on the document: chat messages are re-rendered as they stream.
SCRIPT = """<script>
document.addEventListener('click', async (event) => {
  const button = event.target.closest('.rag-copy-md, .rag-download-md');
  if (!button) return;
  const box = button.closest('.rag-actions');
  const field = (name) => decodeURIComponent(box.querySelector(name).title);
  const markdown = field('.rag-md');
  if (button.classList.contains('rag-copy-md')) {
    await navigator.clipboard.writeText(markdown);
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy as Markdown'; }, 2000);
    return;
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([markdown], {type: 'text/markdown;charset=utf-8'}));
  link.download = field('.rag-md-file');
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
});
</script>"""

CSS = """
.rag-actions { margin-top: .4em; display: flex; gap: .4em; }
.rag-actions button { font-size: .8em; padding: .1em .6em; border-radius: 4px;
                      border: 1px solid var(--border-color-primary);
                      background: var(--background-fill-secondary); cursor: pointer; }
.rag-actions .rag-md, .rag-actions .rag-md-file { display: none; }
"""
