// Lua 5.4 patterns with a counted matcher (see lua_patterns.hpp): the
// matcher, the four string functions built on it, and their installation.
//
// Design: everything here is C-style — no object with a destructor lives in
// any frame — because a malformed pattern, a spent budget or a memory error
// of a luaL_Buffer raises a Lua error (a longjmp) from any recursion depth,
// as Lua's own matcher does. Steps are counted in the Matcher and charged to
// the budget every kChargeEvery steps and when a call ends, so a spent
// budget stops a match within kChargeEvery steps.
#include "dsl/lua_patterns.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dsl/budget.hpp"

namespace weft::dsl {
namespace {

constexpr int kMaxCaptures = 32;  // LUA_MAXCAPTURES
constexpr int kMaxDepth = 200;    // recursion of the matcher ("pattern too complex")
constexpr int64_t kChargeEvery = 1024;
constexpr int64_t kBytesPerStep = 16;  // bytes compared or copied worth one step
constexpr ptrdiff_t kUnfinished = -1;  // capture length while the capture is open
constexpr ptrdiff_t kPosition = -2;    // capture length of a position capture ()
constexpr char kEsc = '%';
constexpr const char* kSpecials = "^$*+?.([%-";

unsigned char uchar(char c) { return static_cast<unsigned char>(c); }

struct Capture {
  const char* init;
  ptrdiff_t len;
};

// One match attempt's state. Subjects and patterns come from Lua strings,
// which always have a '\0' after their last byte: reading *src_end or
// *p_end is valid and gives '\0', as the manual's %f and %b rely on.
struct Matcher {
  lua_State* L;
  const char* src_init;
  const char* src_end;
  const char* p_end;
  int depth;   // recursion left
  int level;   // captures opened so far
  int64_t steps;  // steps not yet charged
  Capture capture[kMaxCaptures];
};

void init_matcher(Matcher* m, lua_State* L, const char* s, size_t ls, const char* p, size_t lp) {
  m->L = L;
  m->src_init = s;
  m->src_end = s + ls;
  m->p_end = p + lp;
  m->steps = 0;
}

void restart_matcher(Matcher* m) {
  m->level = 0;
  m->depth = kMaxDepth;
}

// Charges the steps counted so far; raises when the budget is spent.
void charge_steps(Matcher* m) {
  int64_t steps = m->steps;
  m->steps = 0;
  if (!try_charge(steps)) charge(m->L, 0);  // spent: charge raises its reason
}

inline void count_steps(Matcher* m, int64_t steps) {
  m->steps += steps;
  if (m->steps >= kChargeEvery) charge_steps(m);
}

// ---- classes ----

bool match_class(int c, int cl) {
  int res;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c); break;
    case 'c': res = std::iscntrl(c); break;
    case 'd': res = std::isdigit(c); break;
    case 'g': res = std::isgraph(c); break;
    case 'l': res = std::islower(c); break;
    case 'p': res = std::ispunct(c); break;
    case 's': res = std::isspace(c); break;
    case 'u': res = std::isupper(c); break;
    case 'w': res = std::isalnum(c); break;
    case 'x': res = std::isxdigit(c); break;
    case 'z': res = c == 0; break;  // deprecated in the manual, still honoured by Lua 5.4
    default: return cl == c;  // %. for a non-alphanumeric '.' is the character itself
  }
  if (std::isupper(cl)) return res == 0;
  return res != 0;
}

// `c` against the set [...] from `p` (its '[') to `close` (its ']').
bool match_set(int c, const char* p, const char* close) {
  bool in = true;
  if (p[1] == '^') {
    in = false;
    ++p;
  }
  while (++p < close) {
    if (*p == kEsc) {
      ++p;
      if (match_class(c, uchar(*p))) return in;
    } else if (p[1] == '-' && p + 2 < close) {
      p += 2;
      if (uchar(p[-2]) <= c && c <= uchar(*p)) return in;
    } else if (uchar(*p) == c) {
      return in;
    }
  }
  return !in;
}

// The end of the single-character class starting at `p`.
const char* class_end(Matcher* m, const char* p) {
  switch (*p++) {
    case kEsc:
      if (p == m->p_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
      return p + 1;
    case '[':
      if (*p == '^') ++p;
      do {  // up to the first ']' that is not the set's first character nor escaped
        if (p == m->p_end) luaL_error(m->L, "malformed pattern (missing ']')");
        if (*p++ == kEsc && p < m->p_end) ++p;
      } while (*p != ']');
      return p + 1;
    default:
      return p;
  }
}

// Does the subject byte at `s` match the class from `p` to `ep`?
bool single(Matcher* m, const char* s, const char* p, const char* ep) {
  if (s >= m->src_end) return false;
  int c = uchar(*s);
  switch (*p) {
    case '.': return true;
    case kEsc: return match_class(c, uchar(p[1]));
    case '[': return match_set(c, p, ep - 1);
    default: return uchar(*p) == c;
  }
}

// ---- the matcher ----

const char* match(Matcher* m, const char* s, const char* p);

// %bxy at `p` (pointing at x).
const char* balance(Matcher* m, const char* s, const char* p) {
  if (p >= m->p_end - 1) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (*s != *p) return nullptr;
  char open = p[0], close = p[1];
  int depth = 1;
  const char* start = s;
  while (++s < m->src_end) {
    if (*s == close) {
      if (--depth == 0) {
        count_steps(m, s - start);
        return s + 1;
      }
    } else if (*s == open) {
      ++depth;
    }
  }
  count_steps(m, s - start);
  return nullptr;
}

// %1-%9 in a pattern: the text of an earlier closed capture, again.
const char* backref(Matcher* m, const char* s, int digit) {
  int l = digit - '1';
  if (l < 0 || l >= m->level || m->capture[l].len == kUnfinished)
    luaL_error(m->L, "invalid capture index %%%d", l + 1);
  size_t len = static_cast<size_t>(m->capture[l].len);  // a position capture never matches
  if (static_cast<size_t>(m->src_end - s) < len) return nullptr;
  count_steps(m, static_cast<int64_t>(len / kBytesPerStep));
  return std::memcmp(m->capture[l].init, s, len) == 0 ? s + len : nullptr;
}

// The longest run of the class, then backing off one at a time.
const char* max_expand(Matcher* m, const char* s, const char* p, const char* ep) {
  ptrdiff_t i = 0;
  while (single(m, s + i, p, ep)) {
    ++i;
    count_steps(m, 1);
  }
  for (; i >= 0; --i)
    if (const char* res = match(m, s + i, ep + 1)) return res;
  return nullptr;
}

// The shortest run of the class that lets the rest match.
const char* min_expand(Matcher* m, const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = match(m, s, ep + 1)) return res;
    if (!single(m, s, p, ep)) return nullptr;
    ++s;
  }
}

const char* open_capture(Matcher* m, const char* s, const char* p, ptrdiff_t what) {
  int level = m->level;
  if (level >= kMaxCaptures) luaL_error(m->L, "too many captures");
  m->capture[level].init = s;
  m->capture[level].len = what;
  m->level = level + 1;
  const char* res = match(m, s, p);
  if (res == nullptr) m->level--;
  return res;
}

const char* close_capture(Matcher* m, const char* s, const char* p) {
  int l = m->level - 1;
  while (l >= 0 && m->capture[l].len != kUnfinished) --l;
  if (l < 0) luaL_error(m->L, "invalid pattern capture");
  m->capture[l].len = s - m->capture[l].init;
  const char* res = match(m, s, p);
  if (res == nullptr) m->capture[l].len = kUnfinished;
  return res;
}

// The end of the match of pattern `p` at subject position `s`, or null.
// Tail positions loop instead of recursing; only branches recurse.
const char* match(Matcher* m, const char* s, const char* p) {
  if (m->depth-- == 0) luaL_error(m->L, "pattern too complex");
  for (;;) {
    count_steps(m, 1);
    if (p == m->p_end) break;
    switch (*p) {
      case '(':
        s = p[1] == ')' ? open_capture(m, s, p + 2, kPosition) : open_capture(m, s, p + 1, kUnfinished);
        goto done;
      case ')':
        s = close_capture(m, s, p + 1);
        goto done;
      case '$':
        if (p + 1 == m->p_end) {  // an anchor only as the pattern's last character
          if (s != m->src_end) s = nullptr;
          goto done;
        }
        break;
      case kEsc:
        switch (p[1]) {
          case 'b':
            s = balance(m, s, p + 2);
            if (s == nullptr) goto done;
            p += 4;
            continue;
          case 'f': {
            p += 2;
            if (*p != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
            const char* ep = class_end(m, p);
            int previous = s == m->src_init ? 0 : uchar(s[-1]);
            if (!match_set(previous, p, ep - 1) && match_set(uchar(*s), p, ep - 1)) {
              p = ep;
              continue;
            }
            s = nullptr;
            goto done;
          }
          case '0': case '1': case '2': case '3': case '4':
          case '5': case '6': case '7': case '8': case '9':
            s = backref(m, s, uchar(p[1]));
            if (s == nullptr) goto done;
            p += 2;
            continue;
          default:
            break;
        }
        break;
      default:
        break;
    }
    // A single-character class, with an optional suffix.
    const char* ep = class_end(m, p);
    if (!single(m, s, p, ep)) {
      if (*ep == '*' || *ep == '?' || *ep == '-') {  // zero repetitions are fine
        p = ep + 1;
        continue;
      }
      s = nullptr;
      goto done;
    }
    switch (*ep) {
      case '?':
        if (const char* res = match(m, s + 1, ep + 1)) {
          s = res;
          goto done;
        }
        p = ep + 1;
        continue;
      case '+':
        s = max_expand(m, s + 1, p, ep);
        goto done;
      case '*':
        s = max_expand(m, s, p, ep);
        goto done;
      case '-':
        s = min_expand(m, s, p, ep);
        goto done;
      default:
        ++s;
        p = ep;
        continue;
    }
  }
done:
  m->depth++;
  return s;
}

// ---- captures to Lua values ----

// Capture `i` (or the whole match s..e when the pattern has none): its
// text in *cap and length, or kPosition with the position pushed.
ptrdiff_t capture_text(Matcher* m, int i, const char* s, const char* e, const char** cap) {
  if (i >= m->level) {
    if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
    *cap = s;
    return e - s;
  }
  ptrdiff_t len = m->capture[i].len;
  *cap = m->capture[i].init;
  if (len == kUnfinished) luaL_error(m->L, "unfinished capture");
  if (len == kPosition) lua_pushinteger(m->L, (m->capture[i].init - m->src_init) + 1);
  return len;
}

void push_capture(Matcher* m, int i, const char* s, const char* e) {
  const char* cap;
  ptrdiff_t len = capture_text(m, i, s, e, &cap);
  if (len != kPosition) lua_pushlstring(m->L, cap, static_cast<size_t>(len));
}

// Pushes every capture (the whole match when there are none and `s` is
// given); their count.
int push_captures(Matcher* m, const char* s, const char* e) {
  int n = (m->level == 0 && s != nullptr) ? 1 : m->level;
  luaL_checkstack(m->L, n, "too many captures");
  for (int i = 0; i < n; ++i) push_capture(m, i, s, e);
  return n;
}

// ---- the string functions ----

// A start position of the manual's string functions as an offset (1-based
// positions, negatives from the end).
size_t start_offset(lua_Integer pos, size_t len) {
  if (pos > 0) return static_cast<size_t>(pos) - 1;
  if (pos == 0 || pos < -static_cast<lua_Integer>(len)) return 0;
  return len + static_cast<size_t>(pos);
}

bool has_specials(const char* p, size_t lp) {
  for (size_t i = 0; i < lp; ++i)
    if (p[i] != '\0' && std::strchr(kSpecials, p[i])) return true;
  return false;
}

// Plain search, linear in both lengths (glibc's memmem) and charged so.
const char* find_plain(lua_State* L, const char* s, size_t ls, const char* p, size_t lp) {
  if (!try_charge(static_cast<int64_t>((ls + lp) / kBytesPerStep) + 1)) charge(L, 0);
  if (lp == 0) return s;
  if (lp > ls) return nullptr;
  return static_cast<const char*>(memmem(s, ls, p, lp));
}

int find_or_match(lua_State* L, bool find) {
  size_t ls, lp;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
  if (init > ls) {
    lua_pushnil(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
    if (const char* at = find_plain(L, s + init, ls - init, p, lp)) {
      lua_pushinteger(L, (at - s) + 1);
      lua_pushinteger(L, static_cast<lua_Integer>((at - s) + lp));
      return 2;
    }
    lua_pushnil(L);
    return 1;
  }
  bool anchor = *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  Matcher m;
  init_matcher(&m, L, s, ls, p, lp);
  const char* s1 = s + init;
  do {
    restart_matcher(&m);
    if (const char* e = match(&m, s1, p)) {
      charge_steps(&m);
      if (!find) return push_captures(&m, s1, e);
      lua_pushinteger(L, (s1 - s) + 1);
      lua_pushinteger(L, e - s);
      return push_captures(&m, nullptr, nullptr) + 2;
    }
  } while (s1++ < m.src_end && !anchor);
  charge_steps(&m);
  lua_pushnil(L);
  return 1;
}

int str_find(lua_State* L) { return find_or_match(L, true); }
int str_match(lua_State* L) { return find_or_match(L, false); }

// gmatch's iterator state, in a userdata kept by the iterator closure
// together with the subject and the pattern (upvalues 1 and 2).
struct GmatchState {
  const char* src;        // where the next search starts
  const char* p;
  const char* lastmatch;  // end of the last match: an empty match there is skipped
  Matcher m;
};

int gmatch_next(lua_State* L) {
  auto* g = static_cast<GmatchState*>(lua_touserdata(L, lua_upvalueindex(3)));
  g->m.L = L;
  for (const char* src = g->src; src <= g->m.src_end; ++src) {
    restart_matcher(&g->m);
    const char* e = match(&g->m, src, g->p);
    if (e != nullptr && e != g->lastmatch) {
      g->src = g->lastmatch = e;
      charge_steps(&g->m);
      return push_captures(&g->m, src, e);
    }
  }
  charge_steps(&g->m);
  return 0;
}

// As in Lua 5.4, a '^' in gmatch is no anchor: it is matched as itself.
int str_gmatch(lua_State* L) {
  size_t ls, lp;
  const char* s = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
  lua_settop(L, 2);  // the closure keeps both strings alive
  auto* g = static_cast<GmatchState*>(lua_newuserdatauv(L, sizeof(GmatchState), 0));
  if (init > ls) init = ls + 1;  // past the end: nothing to find
  init_matcher(&g->m, L, s, ls, p, lp);
  g->src = s + init;
  g->p = p;
  g->lastmatch = nullptr;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

// Appends the replacement string (argument 3) with %0-%9 and %% expanded.
void add_replacement_string(Matcher* m, luaL_Buffer* b, const char* s, const char* e) {
  lua_State* L = m->L;
  size_t l;
  const char* repl = lua_tolstring(L, 3, &l);
  count_steps(m, static_cast<int64_t>(l / kBytesPerStep));
  const char* esc;
  while ((esc = static_cast<const char*>(std::memchr(repl, kEsc, l))) != nullptr) {
    luaL_addlstring(b, repl, static_cast<size_t>(esc - repl));
    ++esc;  // the character after '%' ('\0' past the end)
    if (*esc == kEsc) {
      luaL_addchar(b, *esc);
    } else if (*esc == '0') {
      luaL_addlstring(b, s, static_cast<size_t>(e - s));
    } else if (std::isdigit(uchar(*esc))) {
      const char* cap;
      ptrdiff_t len = capture_text(m, *esc - '1', s, e, &cap);
      if (len == kPosition)
        luaL_addvalue(b);  // the position pushed by capture_text
      else
        luaL_addlstring(b, cap, static_cast<size_t>(len));
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", kEsc);
    }
    l -= static_cast<size_t>(esc + 1 - repl);
    repl = esc + 1;
  }
  luaL_addlstring(b, repl, l);
}

// Appends the replacement of the match s..e; false when the original text
// was kept (a table or function gave nil or false).
bool add_replacement(Matcher* m, luaL_Buffer* b, const char* s, const char* e, int kind) {
  lua_State* L = m->L;
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    int n = push_captures(m, s, e);
    lua_call(L, n, 1);
  } else if (kind == LUA_TTABLE) {
    push_capture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    add_replacement_string(m, b, s, e);
    return true;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, static_cast<size_t>(e - s));
    return false;
  }
  if (!lua_isstring(L, -1))
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return true;
}

int str_gsub(lua_State* L) {
  size_t ls, lp;
  const char* src = luaL_checklstring(L, 1, &ls);
  const char* p = luaL_checklstring(L, 2, &lp);
  const char* lastmatch = nullptr;
  int kind = lua_type(L, 3);
  lua_Integer max_n = luaL_optinteger(L, 4, static_cast<lua_Integer>(ls) + 1);
  luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                          kind == LUA_TTABLE,
                   3, "string/function/table");
  bool anchor = *p == '^';
  if (anchor) {
    ++p;
    --lp;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  Matcher m;
  init_matcher(&m, L, src, ls, p, lp);
  lua_Integer n = 0;
  bool changed = false;
  while (n < max_n) {
    restart_matcher(&m);
    const char* e = match(&m, src, p);
    if (e != nullptr && e != lastmatch) {
      ++n;
      changed = add_replacement(&m, &b, src, e, kind) || changed;
      src = lastmatch = e;
    } else if (src < m.src_end) {
      luaL_addchar(&b, *src++);
    } else {
      break;
    }
    if (anchor) break;
  }
  count_steps(&m, (m.src_end - src) / kBytesPerStep);
  charge_steps(&m);
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, src, static_cast<size_t>(m.src_end - src));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, n);
  return 2;
}

}  // namespace

void install_counted_patterns(lua_State* L, int string_table) {
  string_table = lua_absindex(L, string_table);
  const luaL_Reg functions[] = {
      {"find", str_find}, {"match", str_match}, {"gmatch", str_gmatch}, {"gsub", str_gsub}};
  for (const auto& fn : functions) {
    lua_pushcfunction(L, fn.func);
    lua_setfield(L, string_table, fn.name);
  }
}

}  // namespace weft::dsl
