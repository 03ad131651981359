import { expect, fixture, html } from '@open-wc/testing';
import { collectFields, fillFields, isAtDefault, isExcluded, resetFields, type DraftField } from '../../src/drafts/draft-form.js';

/** Type into a control as a person would leave it (value set, no default changed). */
function set(root: ParentNode, selector: string, value: string | boolean): void {
  const el = root.querySelector<HTMLInputElement>(selector)!;
  if (typeof value === 'boolean') el.checked = value;
  else el.value = value;
}

const byControl = (fields: DraftField[]) => Object.fromEntries(fields.map((f) => [`${f.form}|${f.control}`, f.value]));

describe('draft-form: what is kept', () => {
  it('keeps changed text, textarea, selects, checkboxes and radios, and nothing still at its default', async () => {
    const root = await fixture(html`
      <div>
        <form id="order">
          <input name="title" value="preset" />
          <input name="untouched" value="same" />
          <textarea name="body"></textarea>
          <select name="size"><option>s</option><option>m</option><option>l</option></select>
          <select name="tags" multiple><option>a</option><option selected>b</option><option>c</option></select>
          <input type="checkbox" name="gift" />
          <input type="checkbox" name="news" checked />
          <input type="radio" name="ship" value="post" checked />
          <input type="radio" name="ship" value="courier" />
        </form>
      </div>
    `);
    expect(collectFields(root.ownerDocument)).to.deep.equal([]);
    set(root, '[name=title]', 'My long story');
    set(root, '[name=body]', 'Paragraph one');
    root.querySelector<HTMLSelectElement>('[name=size]')!.selectedIndex = 2;
    const tags = root.querySelector<HTMLSelectElement>('[name=tags]')!;
    tags.options[0]!.selected = true;
    tags.options[1]!.selected = false;
    tags.options[2]!.selected = true;
    set(root, '[name=gift]', true);
    set(root, '[name=news]', false);
    set(root, '[value=courier]', true);
    expect(byControl(collectFields(root.ownerDocument))).to.deep.equal({
      'id:order|name:title': 'My long story',
      'id:order|name:body': 'Paragraph one',
      'id:order|name:size': 'l',
      'id:order|name:tags': ['a', 'c'],
      'id:order|name:gift=on': true,
      'id:order|name:news=on': false,
      'id:order|name:ship=post': false,
      'id:order|name:ship=courier': true,
    });
  });

  it('tells a select at its first option (no `selected`) from a changed one', async () => {
    const root = await fixture(html`<form><select name="a"><option>x</option><option>y</option></select></form>`);
    const select = root.querySelector('select')!;
    expect(isAtDefault(select)).to.equal(true);
    select.selectedIndex = 1;
    expect(isAtDefault(select)).to.equal(false);
    select.selectedIndex = 0;
    expect(isAtDefault(select)).to.equal(true);
  });
});

describe('draft-form: never kept', () => {
  const cases: Array<[string, ReturnType<typeof html>]> = [
    ['a password', html`<input type="password" name="x" />`],
    ['a hidden input', html`<input type="hidden" name="x" />`],
    ['a file input', html`<input type="file" name="x" />`],
    ['autocomplete="current-password"', html`<input name="x" autocomplete="current-password" />`],
    ['autocomplete="new-password"', html`<input name="x" autocomplete="new-password" />`],
    ['autocomplete="one-time-code"', html`<input name="x" autocomplete="one-time-code" />`],
    ['autocomplete="cc-number" after a section and a mode token', html`<input name="x" autocomplete="section-pay billing CC-Number" />`],
    ['autocomplete="cc-csc" on a textarea', html`<textarea name="x" autocomplete="cc-csc"></textarea>`],
    ['data-session-draft="off" on the control', html`<input name="x" data-session-draft="off" />`],
    ['data-session-draft="off" on an ancestor', html`<fieldset data-session-draft="off"><div><input name="x" /></div></fieldset>`],
    ['data-session-draft=" OFF " (any case, spaces aside)', html`<input name="x" data-session-draft=" OFF " />`],
  ];
  for (const [what, template] of cases) {
    it(`skips ${what}, even with a value typed`, async () => {
      const form = await fixture<HTMLFormElement>(html`<form>${template}<input name="kept" /></form>`);
      const control = form.querySelector<HTMLInputElement>('[name=x]')!;
      // A file input's value cannot be set from script: its exclusion is by type.
      if (control.type !== 'file') control.value = 'secret 1234';
      set(form, '[name=kept]', 'visible');
      expect(isExcluded(control)).to.equal(true);
      const fields = collectFields(form.ownerDocument);
      expect(fields.map((f) => f.control)).to.deep.equal(['name:kept']);
      expect(JSON.stringify(fields)).not.to.contain('secret 1234');
    });
  }

  it('skips a control tied by form= to a form marked data-session-draft="off" elsewhere in the page', async () => {
    const root = await fixture<HTMLDivElement>(html`
      <div>
        <form id="private" data-session-draft="off"></form>
        <form><input name="x" form="private" /><input name="kept" /></form>
      </div>
    `);
    const control = root.querySelector<HTMLInputElement>('[name=x]')!;
    control.value = 'secret 1234';
    set(root, '[name=kept]', 'visible');
    expect(isExcluded(control)).to.equal(true);
    expect(collectFields(root.ownerDocument).map((f) => f.control)).to.deep.equal(['name:kept']);
  });

  it('keeps a control whose autocomplete names no secret, and one under data-session-draft="on"', async () => {
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <input name="a" autocomplete="email" />
        <div data-session-draft="on"><input name="b" /></div>
      </form>
    `);
    set(form, '[name=a]', 'a@example.org');
    set(form, '[name=b]', 'b');
    expect(collectFields(form.ownerDocument).map((f) => f.control)).to.deep.equal(['name:a', 'name:b']);
  });

  it('never fills a control that has become secret, even when a draft names it', async () => {
    const form = await fixture<HTMLFormElement>(html`<form id="f"><input name="pin" type="password" /></form>`);
    const filled = fillFields([{ form: 'id:f', control: 'name:pin', value: '0000' }], form.ownerDocument);
    expect(filled).to.equal(0);
    expect(form.querySelector('input')!.value).to.equal('');
  });
});

describe('draft-form: found again', () => {
  it('by form id, else name, else position; by control name, else id, else position; repeated names in order', async () => {
    const page = html`
      <div>
        <form><input /><input /></form>
        <form name="second"><input id="only-id" /></form>
        <form id="third"><input name="item" /><input name="item" /></form>
        <input name="outside" />
      </div>
    `;
    const first = await fixture(page);
    const inputs = [...first.querySelectorAll('input')];
    ['p0', 'p1', 'by-id', 'item one', 'item two', 'free'].forEach((v, i) => (inputs[i]!.value = v));
    const fields = collectFields(first.ownerDocument);
    expect(fields.map((f) => [f.form, f.control])).to.deep.equal([
      ['index:0', 'index:0'],
      ['index:0', 'index:1'],
      ['name:second', 'id:only-id'],
      ['id:third', 'name:item'],
      ['id:third', 'name:item#1'],
      ['', 'name:outside'],
    ]);
    first.remove();

    // The next load of the same page.
    const second = await fixture(page);
    const events: string[] = [];
    second.addEventListener('input', (e) => events.push(`input:${(e.target as HTMLInputElement).value}`));
    second.addEventListener('change', (e) => events.push(`change:${(e.target as HTMLInputElement).value}`));
    expect(fillFields(fields, second.ownerDocument)).to.equal(6);
    expect([...second.querySelectorAll('input')].map((i) => i.value)).to.deep.equal(['p0', 'p1', 'by-id', 'item one', 'item two', 'free']);
    expect(events.slice(0, 2)).to.deep.equal(['input:p0', 'change:p0']);
    expect(events).to.have.length(12);
  });

  it('fills only controls still at their default: what the page or the person filled since wins', async () => {
    const form = await fixture<HTMLFormElement>(html`
      <form id="f"><input name="a" /><input name="b" value="server value" /><input type="checkbox" name="c" /></form>
    `);
    set(form, '[name=a]', 'typed after the load');
    const filled = fillFields(
      [
        { form: 'id:f', control: 'name:a', value: 'from the draft' },
        { form: 'id:f', control: 'name:b', value: 'from the draft' },
        { form: 'id:f', control: 'name:c=on', value: true },
        { form: 'id:f', control: 'name:gone', value: 'x' },
      ],
      form.ownerDocument,
    );
    expect(filled).to.equal(2);
    expect(form.querySelector<HTMLInputElement>('[name=a]')!.value).to.equal('typed after the load');
    expect(form.querySelector<HTMLInputElement>('[name=b]')!.value).to.equal('from the draft');
    expect(form.querySelector<HTMLInputElement>('[name=c]')!.checked).to.equal(true);
  });

  it('puts a radio choice and a multiple select back', async () => {
    const form = await fixture<HTMLFormElement>(html`
      <form id="f">
        <input type="radio" name="r" value="1" checked /><input type="radio" name="r" value="2" />
        <select name="m" multiple><option>a</option><option selected>b</option></select>
      </form>
    `);
    fillFields(
      [
        { form: 'id:f', control: 'name:r=1', value: false },
        { form: 'id:f', control: 'name:r=2', value: true },
        { form: 'id:f', control: 'name:m', value: ['a'] },
      ],
      form.ownerDocument,
    );
    expect(form.querySelector<HTMLInputElement>('[value="2"]')!.checked).to.equal(true);
    expect([...form.querySelector('select')!.selectedOptions].map((o) => o.value)).to.deep.equal(['a']);
  });

  it('resetFields puts every changed control back to the page’s own value, secrets included, without events', async () => {
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <input name="t" value="page" />
        <input name="p" type="password" />
        <textarea name="a"></textarea>
        <input type="checkbox" name="c" />
        <select name="s"><option>a</option><option selected>b</option></select>
        <input name="same" value="unchanged" />
      </form>
    `);
    set(form, '[name=t]', 'typed');
    set(form, '[name=p]', 'hunter2');
    set(form, '[name=a]', 'long text');
    form.querySelector<HTMLInputElement>('[name=c]')!.checked = true;
    form.querySelector('select')!.selectedIndex = 0;
    let events = 0;
    form.addEventListener('input', () => events++);
    form.addEventListener('change', () => events++);
    expect(resetFields(form.ownerDocument)).to.equal(5);
    expect(form.querySelector<HTMLInputElement>('[name=t]')!.value).to.equal('page');
    expect(form.querySelector<HTMLInputElement>('[name=p]')!.value).to.equal('');
    expect(form.querySelector<HTMLTextAreaElement>('[name=a]')!.value).to.equal('');
    expect(form.querySelector<HTMLInputElement>('[name=c]')!.checked).to.equal(false);
    expect(form.querySelector('select')!.value).to.equal('b');
    expect(events).to.equal(0);
  });
});
