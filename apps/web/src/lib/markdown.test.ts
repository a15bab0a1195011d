import { describe, expect, it } from 'vitest';
import { isInsideOpenFence, renderMarkdown } from './markdown.ts';

const anna = { id: 'u-anna', username: 'anna' };
const bob = { id: 'u-bob', username: 'bob' };
const render = (body: string) => renderMarkdown(body, [anna, bob], 'u-bob');
const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer nofollow"';

const ALLOWED_TAGS = new Set(['p', 'br', 'strong', 'em', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span']);
const ALLOWED_ATTRIBUTES = new Set(['href', 'title', 'target', 'rel', 'class', 'data-user-id', 'start']);
const TAG = /<\/?([a-z]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/g;
const ATTRIBUTE = /\s+([a-z-]+)="([^"]*)"/g;

// Whatever the input, the output is only the subset's tags with quoted, known attributes and safe
// hrefs; any other `<` would be markup the browser might run, so none may remain.
function expectInert(html: string) {
  for (const [, tag = '', attributes = ''] of html.matchAll(TAG)) {
    expect(ALLOWED_TAGS).toContain(tag);
    for (const [, name = '', value = ''] of attributes.matchAll(ATTRIBUTE)) {
      expect(ALLOWED_ATTRIBUTES).toContain(name);
      if (name === 'href') expect(value).toMatch(/^(https?:|mailto:)/);
    }
  }
  expect(html.replace(TAG, '')).not.toContain('<');
}

describe('renderMarkdown', () => {
  it('renders a plain line as one paragraph with no trailing newline', () => {
    expect(render('hello there')).toBe('<p>hello there</p>');
  });

  it('turns single newlines into line breaks, as typed in a chat', () => {
    expect(render('Fine, thanks.\nAnd you?')).toBe('<p>Fine, thanks.<br>\nAnd you?</p>');
  });

  it('renders bold, italic and code spans', () => {
    expect(render('**bold** *it* _it_ `a < b`')).toBe('<p><strong>bold</strong> <em>it</em> <em>it</em> <code>a &lt; b</code></p>');
  });

  it('renders a fenced code block without highlighting, its content escaped', () => {
    expect(render('```js\nconst a = "<b>";\n```')).toBe('<pre><code class="language-js">const a = &quot;&lt;b&gt;&quot;;\n</code></pre>');
  });

  it('renders block quotes and bullet and ordered lists', () => {
    expect(render('> quoted')).toBe('<blockquote>\n<p>quoted</p>\n</blockquote>');
    expect(render('- one\n- two')).toBe('<ul>\n<li>one</li>\n<li>two</li>\n</ul>');
    expect(render('1. one\n2. two')).toBe('<ol>\n<li>one</li>\n<li>two</li>\n</ol>');
  });

  it('renders http, https and mailto links that open in a new tab without an opener', () => {
    expect(render('[docs](https://example.com/a?b=1)')).toBe(`<p><a href="https://example.com/a?b=1" ${LINK_ATTRS}>docs</a></p>`);
    expect(render('[mail](mailto:anna@example.com)')).toContain(`<a href="mailto:anna@example.com" ${LINK_ATTRS}>mail</a>`);
  });

  it('autolinks bare URLs and e-mail addresses with the same attributes', () => {
    expect(render('see http://example.com/x')).toBe(`<p>see <a href="http://example.com/x" ${LINK_ATTRS}>http://example.com/x</a></p>`);
    expect(render('<https://example.com>')).toBe(`<p><a href="https://example.com" ${LINK_ATTRS}>https://example.com</a></p>`);
    expect(render('write to anna@example.com')).toContain(`<a href="mailto:anna@example.com" ${LINK_ATTRS}>`);
  });

  it('leaves headings, rules, tables, strikethrough, indented code and references as text', () => {
    expect(render('# title')).toBe('<p># title</p>');
    expect(render('a\n\n---')).toBe('<p>a</p>\n<p>---</p>');
    expect(render('| a | b |\n|---|---|\n| 1 | 2 |')).not.toContain('<table');
    expect(render('~~gone~~')).toBe('<p>~~gone~~</p>');
    expect(render('    indented')).toBe('<p>indented</p>');
    expect(render('[x][r]\n\n[r]: https://example.com')).not.toContain(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer nofollow">x</a>',
    );
  });

  it('shows raw HTML as escaped text', () => {
    const html = render('<script>alert(1)</script>');
    expect(html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expectInert(html);
    expect(render('<a href="javascript:alert(1)">x</a>')).toBe('<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>');
  });

  it.each([
    '[x](javascript:alert(1))',
    '[x](JAVASCRIPT:alert(1))',
    '[x]( javascript:alert(1) )',
    '[x](java&#x09;script:alert(1))',
    '[x](&#106;avascript:alert(1))',
    '[x](data:text/html,<script>alert(1)</script>)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](/relative) [y](//evil.example)',
    '<javascript:alert(1)>',
    'javascript:alert(1)',
  ])('keeps a link to anything but http, https or mailto as text: %s', (body) => {
    const html = render(body);
    expectInert(html);
    expect(html).not.toContain('<a');
  });

  it('never loads an image: image syntax shows as text and a link', () => {
    const html = render('![i](http://e/x.png)');
    expectInert(html);
    expect(html).toBe(`<p>!<a href="http://e/x.png" ${LINK_ATTRS}>i</a></p>`);
    expectInert(render('<img src=x onerror=alert(1)>'));
  });

  it('never emits an attribute outside the subset, so no onerror= handler', () => {
    for (const body of [
      '<img src=x onerror=alert(1)>',
      '[x](https://e.com" onerror="alert(1))',
      '[x](https://e.com "t\\" onmouseover=\\"alert(1)")',
      '[x](<https://e.com onerror=x>)',
      '```js" onerror="alert(1)\ncode\n```',
      '`<b onclick=alert(1)>`',
    ]) {
      const html = render(body);
      expectInert(html);
    }
  });

  it.each([
    '<svg onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<style>*{display:none}</style>',
    '[<img src=x onerror=alert(1)>](https://e.com)',
    '> <script>alert(1)</script>\n- <b onclick=alert(1)>x</b>',
    '**<script>**alert(1)',
    '[x](https://e.com)<script>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '&#60;script&#62;alert(1)',
    '`</code><script>alert(1)</script>`',
    '```\n</code></pre><script>alert(1)</script>\n```',
    '[x](https://e.com?a=<script>)',
    'https://e.com/"><script>alert(1)</script>',
    '[a](https://e.com "<script>")',
  ])('keeps markup in the input inert: %s', (body) => {
    expectInert(render(body));
  });

  it('marks server-resolved mentions, mine with a hidden note, in any case', () => {
    expect(render('hi @Anna and **@bob**')).toBe(
      '<p>hi <span class="mention" data-user-id="u-anna">@Anna</span> and <strong><span class="mention is-me" data-user-id="u-bob">@bob</span><span class="visually-hidden"> (mentions you)</span></strong></p>',
    );
  });

  it('marks only listed names, word-bounded, not e-mail addresses', () => {
    expect(render('@carl and @annabel')).toBe('<p>@carl and @annabel</p>');
    expect(renderMarkdown('@anna', [], 'u-bob')).toBe('<p>@anna</p>');
  });

  it('does not mark mentions inside code spans, code blocks or links', () => {
    expect(render('`@bob`')).toBe('<p><code>@bob</code></p>');
    expect(render('```\n@bob\n```')).toBe('<pre><code>@bob\n</code></pre>');
    expect(render('[@bob](https://e.com) https://e.com/@anna')).not.toContain('class="mention');
  });

  it('escapes mention names and ids so a username cannot inject markup', () => {
    const eve = { id: '"><script>alert(1)</script>', username: 'eve' };
    const html = renderMarkdown('@eve', [eve], 'u-bob');
    expectInert(html);
    expect(html).toBe('<p><span class="mention" data-user-id="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">@eve</span></p>');
  });
});

describe('isInsideOpenFence', () => {
  it('is false outside any fence', () => {
    expect(isInsideOpenFence('hello', 5)).toBe(false);
    expect(isInsideOpenFence('use ``` inline', 14)).toBe(false);
  });

  it('is true after an opening fence line, including on that line', () => {
    expect(isInsideOpenFence('```', 3)).toBe(true);
    expect(isInsideOpenFence('look:\n```ts\nconst a = 1;', 24)).toBe(true);
  });

  it('is false once the fence is closed', () => {
    expect(isInsideOpenFence('```\ncode\n```', 12)).toBe(false);
    expect(isInsideOpenFence('```\ncode\n```\n```', 16)).toBe(true);
  });

  it('looks only at the text before the caret', () => {
    const text = '```\ncode\n```';
    expect(isInsideOpenFence(text, 8)).toBe(true);
    expect(isInsideOpenFence(text, 0)).toBe(false);
  });
});
