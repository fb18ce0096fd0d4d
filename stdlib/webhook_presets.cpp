// The weft.webhook presets: header parsing, signed-content construction and
// constant-time signature comparison per provider. Every failure becomes a
// Verdict with a reason; only an unknown preset name throws.
#include "stdlib/webhook_presets.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <stdexcept>
#include <utility>
#include <vector>

#include "engine/percent_encoding.hpp"
#include "stdlib/crypto_primitives.hpp"

namespace weft::stdlib::webhook {
namespace {

namespace c = crypto;

using Preset = Verdict (*)(const Request&, const Options&);
using Param = std::pair<std::string, std::string>;

char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

Verdict pass() { return {true, ""}; }
Verdict fail(std::string reason) { return {false, std::move(reason)}; }
Verdict missing_header(std::string_view name) { return fail("missing header " + std::string(name)); }
Verdict malformed_header(std::string_view name) { return fail("malformed header " + std::string(name)); }
Verdict mismatch() { return fail("signature mismatch"); }

const std::string* find_header(const Request& request, std::string_view name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? nullptr : &it->second;
}

// Decodes `text` as hex or base64; nullopt when it is not valid.
std::optional<std::string> decode(std::string_view text, std::string_view encoding) {
  try {
    return encoding == "base64" ? c::base64_decode(text) : c::hex_decode(text);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

// A Unix timestamp of at most 15 digits; nullopt otherwise.
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
      }))
    return std::nullopt;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool within_tolerance(std::int64_t timestamp, const Options& options) {
  std::int64_t now = options.now_seconds ? *options.now_seconds : static_cast<std::int64_t>(std::time(nullptr));
  std::int64_t distance = now > timestamp ? now - timestamp : timestamp - now;
  return distance <= std::max<std::int64_t>(options.tolerance_seconds, 0);
}

// Reads the timestamp header `name` and checks it against now +- tolerance.
Verdict check_timestamp_header(const Request& request, const Options& options, std::string_view name) {
  const std::string* value = find_header(request, name);
  if (!value) return missing_header(name);
  std::optional<std::int64_t> timestamp = parse_timestamp(*value);
  if (!timestamp) return malformed_header(name);
  return within_tolerance(*timestamp, options) ? pass() : fail("timestamp outside tolerance");
}

// Compares `mac` with the signature in header `name`: the header text must
// start with `prefix`, the rest is decoded as `encoding`.
Verdict check_header_mac(const Request& request, std::string_view name, std::string_view prefix,
                         std::string_view encoding, const std::string& mac) {
  const std::string* value = find_header(request, name);
  if (!value) return missing_header(name);
  if (value->compare(0, prefix.size(), prefix) != 0) return malformed_header(name);
  std::optional<std::string> given = decode(std::string_view(*value).substr(prefix.size()), encoding);
  if (!given || given->size() != mac.size()) return malformed_header(name);
  return c::equal(*given, mac) ? pass() : mismatch();
}

Verdict github(const Request& request, const Options& options) {
  if (options.secret.empty()) return fail("missing option secret");
  return check_header_mac(request, "X-Hub-Signature-256", "sha256=", "hex",
                          c::hmac("sha256", options.secret, request.body));
}

Verdict slack(const Request& request, const Options& options) {
  if (options.secret.empty()) return fail("missing option secret");
  Verdict fresh = check_timestamp_header(request, options, "X-Slack-Request-Timestamp");
  if (!fresh.ok) return fresh;
  std::string base = "v0:" + *find_header(request, "X-Slack-Request-Timestamp") + ":" + request.body;
  return check_header_mac(request, "X-Slack-Signature", "v0=", "hex", c::hmac("sha256", options.secret, base));
}

Verdict shopify(const Request& request, const Options& options) {
  if (options.secret.empty()) return fail("missing option secret");
  return check_header_mac(request, "X-Shopify-Hmac-Sha256", "", "base64",
                          c::hmac("sha256", options.secret, request.body));
}

// Splits `text` at every `separator`.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// True if any of `candidates` (encoded as `encoding`) equals `mac`.
bool any_matches(const std::vector<std::string_view>& candidates, std::string_view encoding,
                 const std::string& mac) {
  bool matched = false;
  for (std::string_view candidate : candidates) {
    std::optional<std::string> given = decode(candidate, encoding);
    if (given && given->size() == mac.size() && c::equal(*given, mac)) matched = true;
  }
  return matched;
}

// Stripe-Signature: "t=<ts>,v1=<hex>[,v1=<hex>...][,v0=<hex>]".
Verdict stripe(const Request& request, const Options& options) {
  static constexpr std::string_view kHeader = "Stripe-Signature";
  if (options.secret.empty()) return fail("missing option secret");
  const std::string* value = find_header(request, kHeader);
  if (!value) return missing_header(kHeader);
  std::optional<std::string_view> t;
  std::vector<std::string_view> v1;
  for (std::string_view item : split(*value, ',')) {
    if (item.starts_with("t=") && !t) t = item.substr(2);
    if (item.starts_with("v1=")) v1.push_back(item.substr(3));
  }
  std::optional<std::int64_t> timestamp = t ? parse_timestamp(*t) : std::nullopt;
  if (!timestamp || v1.empty()) return malformed_header(kHeader);
  if (!within_tolerance(*timestamp, options)) return fail("timestamp outside tolerance");
  std::string payload = std::string(*t) + "." + request.body;
  return any_matches(v1, "hex", c::hmac("sha256", options.secret, payload)) ? pass() : mismatch();
}

// Standard Webhooks: "whsec_<base64>" secrets, "v1,<base64>" signatures.
Verdict standard(const Request& request, const Options& options) {
  static constexpr std::string_view kSignature = "webhook-signature";
  if (options.secret.empty()) return fail("missing option secret");
  std::string_view secret = options.secret;
  if (secret.starts_with("whsec_")) secret.remove_prefix(6);
  std::optional<std::string> key = decode(secret, "base64");
  if (!key) return fail("malformed secret (expected whsec_ followed by base64)");
  const std::string* id = find_header(request, "webhook-id");
  if (!id) return missing_header("webhook-id");
  Verdict fresh = check_timestamp_header(request, options, "webhook-timestamp");
  if (!fresh.ok) return fresh;
  const std::string* value = find_header(request, kSignature);
  if (!value) return missing_header(kSignature);
  std::vector<std::string_view> v1;
  for (std::string_view entry : split(*value, ' '))
    if (entry.starts_with("v1,")) v1.push_back(entry.substr(3));
  if (v1.empty()) return malformed_header(kSignature);
  std::string content = *id + "." + *find_header(request, "webhook-timestamp") + "." + request.body;
  return any_matches(v1, "base64", c::hmac("sha256", *key, content)) ? pass() : mismatch();
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte;
// an invalid escape is kept as it is.
std::string form_decode(std::string_view text) {
  return *engine::percent_decode(text, {.plus_is_space = true, .keep_bad_escapes = true});
}

std::vector<Param> form_params(std::string_view text) {
  std::vector<Param> params;
  if (text.empty()) return params;
  for (std::string_view item : split(text, '&')) {
    std::size_t eq = item.find('=');
    std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    params.emplace_back(form_decode(item.substr(0, eq)), form_decode(value));
  }
  return params;
}

std::vector<Param> query_params(std::string_view url) {
  std::size_t question = url.find('?');
  if (question == std::string_view::npos) return {};
  return form_params(url.substr(question + 1, url.find('#') - question - 1));
}

bool is_form_post(const Request& request) {
  const std::string* type = find_header(request, "Content-Type");
  return iequals(request.method, "POST") &&
         (!type || starts_with_icase(*type, "application/x-www-form-urlencoded"));
}

// What Twilio signs after the URL, as its validators build it
// (twilio-python RequestValidator.compute_signature, twilio-node
// getExpectedTwilioSignature): names sorted, and under a repeated name its
// distinct values sorted, each as name + value.
std::string twilio_form_params(const Request& request) {
  std::vector<Param> params = form_params(request.body);
  std::sort(params.begin(), params.end());
  params.erase(std::unique(params.begin(), params.end()), params.end());
  std::string content;
  for (const auto& [name, value] : params) content += name + value;
  return content;
}

// The URL as Twilio's validators try it: as given, and with its port
// removed (when it has one) or with the scheme's default port added (443
// for https, else 80), since Twilio signs either form.
std::vector<std::string> twilio_urls(const std::string& url) {
  std::vector<std::string> urls{url};
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return urls;
  std::size_t start = scheme + 3;
  std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  std::size_t host = url.find('@', start);
  host = host < end ? host + 1 : start;
  std::size_t colon = url.rfind(':', end - 1);
  std::size_t bracket = url.rfind(']', end - 1);
  bool has_port = colon != std::string::npos && colon >= host && colon + 1 < end &&
                  (bracket == std::string::npos || bracket < host || colon > bracket);
  if (has_port) {
    urls.push_back(url.substr(0, colon) + url.substr(end));
  } else {
    std::string port = iequals(std::string_view(url).substr(0, scheme), "https") ? ":443" : ":80";
    urls.push_back(url.substr(0, end) + port + url.substr(end));
  }
  return urls;
}

// A body that is not form data is covered through the URL's bodySHA256.
Verdict twilio_body_hash(const Request& request) {
  for (const auto& [name, value] : query_params(request.url))
    if (name == "bodySHA256")
      return value.size() == 64 && c::equal(value, c::hex_encode(c::sha256(request.body)))
                 ? pass()
                 : fail("body does not match bodySHA256");
  return request.body.empty() ? pass() : fail("body not covered by the signature (no bodySHA256 in the URL)");
}

Verdict twilio(const Request& request, const Options& options) {
  if (options.secret.empty()) return fail("missing option secret");
  bool form = is_form_post(request);
  std::string params = form ? twilio_form_params(request) : "";
  Verdict signature = mismatch();
  for (const std::string& url : twilio_urls(request.url)) {
    signature = check_header_mac(request, "X-Twilio-Signature", "", "base64",
                                 c::hmac("sha1", options.secret, url + params));
    if (signature.ok || signature.reason != "signature mismatch") break;
  }
  return signature.ok && !form ? twilio_body_hash(request) : signature;
}

Verdict generic_hmac(const Request& request, const Options& options) {
  std::string algorithm = options.algorithm.empty() ? "sha256" : options.algorithm;
  std::string encoding = options.encoding.empty() ? "hex" : options.encoding;
  if (options.secret.empty()) return fail("missing option secret");
  if (options.header.empty()) return fail("missing option header");
  if (algorithm != "sha1" && algorithm != "sha256" && algorithm != "sha512")
    return fail("unsupported algorithm '" + algorithm + "'");
  if (encoding != "hex" && encoding != "base64") return fail("unsupported encoding '" + encoding + "'");
  return check_header_mac(request, options.header, options.prefix, encoding,
                          c::hmac(algorithm, options.secret, request.body));
}

Verdict rsa_sha256(const Request& request, const Options& options) {
  if (options.public_key.empty()) return fail("missing option public_key");
  if (options.header.empty()) return fail("missing option header");
  const std::string* value = find_header(request, options.header);
  if (!value) return missing_header(options.header);
  std::optional<std::string> signature = decode(*value, "base64");
  if (!signature) return malformed_header(options.header);
  try {
    return c::rsa_verify_sha256(options.public_key, request.body, *signature) ? pass() : mismatch();
  } catch (const std::invalid_argument&) {
    return fail("unreadable public key");
  }
}

const std::pair<std::string_view, Preset> kPresets[] = {
    {"github", github},   {"slack", slack},     {"stripe", stripe},       {"shopify", shopify},
    {"twilio", twilio},   {"standard", standard}, {"hmac", generic_hmac}, {"rsa_sha256", rsa_sha256}};

Preset find_preset(std::string_view name) {
  for (const auto& [preset_name, preset] : kPresets)
    if (preset_name == name) return preset;
  return nullptr;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lower(x) < lower(y); });
}

Verdict verify(const std::string& preset, const Request& request, const Options& options) {
  Preset check = find_preset(preset);
  if (!check) throw std::invalid_argument("unknown webhook preset '" + preset + "'");
  return check(request, options);
}

}  // namespace weft::stdlib::webhook
