/*
 * Show-if conditions of survey questions, in the browser.
 *
 * Evaluates the JSON trees written by surveys/conditions.py (to_json) with the same semantics, and hides
 * every element carrying data-show-if="<tree>" whose condition does not hold, disabling its inputs so that
 * hidden answers are not submitted. The page works without this script; the server checks again.
 */
(function () {
  'use strict';

  const MAX_REGEX_INPUT = 2000; // same cap as MAX_REGEX_INPUT in conditions.py
  const NUMERIC_TEXT = /^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$/;
  const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
  const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

  function isEmpty(value) {
    return value === null || value === undefined || value === '' ||
      (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
  }

  function asNumber(value) {
    if (typeof value === 'number') return value;
    return typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : null;
  }

  function toText(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    return Array.isArray(value) ? value.map(toText).join(' ') : '';
  }

  function truthy(value) {
    if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
    return !isEmpty(value) && value !== false;
  }

  function sameValue(left, right) {
    if (Array.isArray(left) && Array.isArray(right)) {
      return left.length === right.length && left.every((item, i) => sameValue(item, right[i]));
    }
    if (isObject(left) && isObject(right)) {
      const keys = Object.keys(left);
      return keys.length === Object.keys(right).length &&
        keys.every((key) => has(right, key) && sameValue(left[key], right[key]));
    }
    return left === right;
  }

  function equal(left, right) {
    // An unanswered question equals '' and nothing else.
    if (isEmpty(left) || isEmpty(right)) return isEmpty(left) && isEmpty(right);
    if (typeof left === 'number' || typeof right === 'number') {
      const l = asNumber(left), r = asNumber(right);
      return l !== null && r !== null && l === r;
    }
    // XLSForm writes a multiple choice answer as 'a b c'.
    if ((Array.isArray(left) && typeof right === 'string') || (typeof left === 'string' && Array.isArray(right))) {
      return toText(left) === toText(right);
    }
    return sameValue(left, right);
  }

  function ordered(op, left, right) {
    if (typeof left === 'number' || typeof right === 'number') {
      left = asNumber(left);
      right = asNumber(right);
      if (left === null || right === null) return false;
    } else if (typeof left !== 'string' || typeof right !== 'string' || left === '' || right === '') {
      return false; // texts compare as texts, which orders ISO dates correctly
    }
    return { '<': left < right, '<=': left <= right, '>': left > right, '>=': left >= right }[op];
  }

  const splitWords = (text) => text.split(/\s+/).filter(Boolean);

  const patterns = new Map();
  function compiled(pattern) {
    if (!patterns.has(pattern)) {
      let regexp = null;
      for (const flags of ['u', '']) { // 'u' counts characters as the server does; some patterns need ''
        try { regexp = new RegExp(pattern, flags); break; } catch (error) { /* try the next flags */ }
      }
      patterns.set(pattern, regexp);
    }
    return patterns.get(pattern);
  }

  const FUNCTIONS = {
    'selected': (answer, code) => {
      const items = Array.isArray(answer) ? answer.map(toText) : splitWords(toText(answer));
      return toText(code) !== '' && items.includes(toText(code));
    },
    'count-selected': (answer) => Array.isArray(answer) ? answer.length
      : typeof answer === 'string' ? splitWords(answer).length : 0,
    'is-empty': isEmpty,
    'string-length': (answer) => [...toText(answer)].length,
    'regex': (answer, pattern) => {
      const text = toText(answer);
      const regexp = compiled(toText(pattern));
      return answer !== null && answer !== undefined && [...text].length <= MAX_REGEX_INPUT &&
        regexp !== null && regexp.test(text);
    },
    // Calculations (XLSForm calculate), as surveys/taking/condition_eval.py computes them.
    'if': (condition, then, otherwise) => (truthy(condition) ? then : otherwise),
    'concat': (...parts) => parts.map(toText).join(''),
    'coalesce': (first, second) => (isEmpty(first) ? second : first),
    'number': asNumber,
    'int': (value) => finite(asNumber(value), Math.trunc),
    'round': (value, digits) => {
      const places = asNumber(digits === undefined ? 0 : digits);
      const bounded = places === null || !Number.isFinite(places) ? 0 : Math.min(Math.max(Math.trunc(places), -15), 15);
      const scale = 10 ** bounded;
      return finite(asNumber(value), (n) => Math.floor(n * scale + 0.5) / scale);
    },
    'string': toText,
    'contains': (text, part) => toText(text).includes(toText(part)),
    'starts-with': (text, part) => toText(text).startsWith(toText(part)),
    'ends-with': (text, part) => toText(text).endsWith(toText(part)),
    'substr': (text, start, end) => {
      const first = asNumber(start);
      const last = end === undefined ? null : asNumber(end);
      if (first === null || !Number.isFinite(first)) return '';
      const chars = [...toText(text)];
      return chars.slice(Math.trunc(first), last === null || !Number.isFinite(last) ? undefined : Math.trunc(last))
        .join('');
    },
    'today': () => {
      const now = new Date();
      const pad = (n) => String(n).padStart(2, '0');
      return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
    },
  };

  function finite(number, apply) {
    return number === null || !Number.isFinite(number) ? null : apply(number);
  }

  /** + - * div mod on numbers (or numeric text); anything else, or a division by zero, is empty (null). */
  function arithmetic(op, left, right) {
    const a = asNumber(left);
    const b = asNumber(right);
    if (a === null || b === null || ((op === 'div' || op === 'mod') && b === 0)) return null;
    const result = { '+': a + b, '-': a - b, '*': a * b, 'div': a / b, 'mod': a % b }[op];
    return Number.isFinite(result) ? result : null;
  }

  const malformed = () => { throw new TypeError('Not a condition tree made by surveys/conditions.py'); };

  /** The value of a condition tree given answers (code → value) and the answer '.' means; throws on a tree
   *  that surveys/conditions.py would not write. */
  function evaluate(node, answers, current) {
    if (!isObject(node)) malformed();
    if (has(node, 'lit')) return node.lit;
    if (has(node, 'ref')) {
      if (node.ref === '.') return current;
      const [code, row] = String(node.ref).split('.', 2);
      const value = has(answers, code) ? answers[code] : null;
      if (row === undefined) return value;
      return isObject(value) && has(value, row) ? value[row] : null;
    }
    const args = Array.isArray(node.args) ? node.args : [];
    const valueOf = (arg) => evaluate(arg, answers, current);
    if (has(node, 'call')) {
      return has(FUNCTIONS, node.call) ? FUNCTIONS[node.call](...args.map(valueOf)) : malformed();
    }
    switch (node.op) {
      case 'and': return args.every((arg) => truthy(valueOf(arg)));
      case 'or': return args.some((arg) => truthy(valueOf(arg)));
      case 'not': return !truthy(valueOf(args[0]));
      case '=': return equal(valueOf(args[0]), valueOf(args[1]));
      case '!=': return !equal(valueOf(args[0]), valueOf(args[1]));
      case '<': case '<=': case '>': case '>=': return ordered(node.op, valueOf(args[0]), valueOf(args[1]));
      case '+': case '-': case '*': case 'div': case 'mod':
        return arithmetic(node.op, valueOf(args[0]), valueOf(args[1]));
      default: return malformed();
    }
  }

  function holds(node, answers, current) {
    return truthy(evaluate(node, answers, current));
  }

  /** Answers as the server stores them, read from a form's enabled inputs (name = code or code.row). */
  function readAnswers(form) {
    const answers = Object.create(null);
    const put = (code, row, value) => {
      if (row === undefined) { answers[code] = value; return; }
      if (!isObject(answers[code])) answers[code] = Object.create(null);
      answers[code][row] = value;
    };
    for (const field of Array.from(form.elements || [])) {
      if (!field.name || field.disabled || !['INPUT', 'SELECT', 'TEXTAREA'].includes(field.tagName)) continue;
      const [code, row] = field.name.split('.', 2);
      const type = (field.type || '').toLowerCase();
      if (type === 'checkbox' && row === undefined) {
        if (!Array.isArray(answers[code])) answers[code] = [];
        if (field.checked) answers[code].push(field.value);
      } else if (type === 'checkbox' || type === 'radio') {
        if (field.checked) put(code, row, field.value);
      } else if (field.tagName === 'SELECT' && field.multiple) {
        put(code, row, Array.from(field.selectedOptions, (option) => option.value));
      } else if (!['submit', 'button', 'reset', 'file', 'image'].includes(type) && field.value !== '') {
        put(code, row, field.value); // a blank field stays unanswered, as on the server
      }
    }
    return answers;
  }

  /** Hide or show an element and disable or re-enable the inputs it holds; true if visibility changed. */
  function setShown(element, shown) {
    const changed = element.hidden === shown;
    element.hidden = !shown;
    const fields = Array.from(element.querySelectorAll('input, select, textarea'));
    if (element.matches('input, select, textarea')) fields.push(element);
    for (const field of fields) {
      if (!shown && !field.disabled) {
        field.disabled = true;
        field.dataset.showIfDisabled = '';
      } else if (shown && 'showIfDisabled' in field.dataset) {
        field.disabled = false;
        delete field.dataset.showIfDisabled;
      }
    }
    return changed;
  }

  const trees = new WeakMap();
  function treeOf(element) {
    if (!trees.has(element)) {
      let tree = null;
      try { tree = JSON.parse(element.getAttribute('data-show-if')); } catch (error) { /* leave it shown */ }
      trees.set(element, tree);
    }
    return trees.get(element);
  }

  function refresh(form) {
    const conditional = Array.from(form.querySelectorAll('[data-show-if]')).filter((el) => isObject(treeOf(el)));
    // Hiding a question can change the answers a later condition reads, so repeat until nothing changes.
    for (let pass = 0; pass <= conditional.length; pass += 1) {
      const answers = readAnswers(form);
      let changed = false;
      for (const element of conditional) {
        let shown = true;
        try { shown = holds(treeOf(element), answers); } catch (error) { /* malformed tree: leave it shown */ }
        changed = setShown(element, shown) || changed;
      }
      if (!changed) break;
    }
  }

  function enhance() {
    for (const form of Array.from(document.querySelectorAll('form'))) {
      if (!form.querySelector('[data-show-if]')) continue;
      const update = () => refresh(form);
      form.addEventListener('input', update);
      form.addEventListener('change', update);
      update();
    }
  }

  if (typeof document !== 'undefined') {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhance);
    else enhance();
  }
  if (typeof module !== 'undefined') module.exports = { evaluate, holds };
}());
