// FakeSmtpServer on Boost.Asio, in FakeServer's shape: a listener that
// accepts on 127.0.0.1 and one session per connection (read a line →
// handle → write the reply → read), an idle timeout on every read, and
// the scripts and recorded messages shared under a mutex.
#include "tests/fakes/fake_smtp_server.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/asio.hpp>

#include "stdlib/crypto_primitives.hpp"

namespace weft::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxLine = 1 << 20;

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string decode64(const std::string& text) {
  try {
    return stdlib::crypto::base64_decode(text);
  } catch (const std::exception&) {
    return "";
  }
}

// The address between '<' and '>' of "MAIL FROM:<a@b> SIZE=1".
std::string angle_address(const std::string& line) {
  size_t open = line.find('<');
  size_t close = line.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

// Scripts, recorded messages and counters, shared by the io thread and the test thread.
class State {
 public:
  explicit State(FakeSmtpOptions options) : options(std::move(options)) {}

  void add_script(const std::string& command, const std::string& reply, int times) {
    std::lock_guard lock(mutex_);
    scripts_.push_back({upper(command), reply, times});
  }

  // The scripted reply for `command`, if one has answers left (it is used up).
  std::string take_script(const std::string& command) {
    std::lock_guard lock(mutex_);
    for (auto& script : scripts_) {
      if (script.command != command || script.times_left <= 0) continue;
      --script.times_left;
      return script.reply;
    }
    return "";
  }

  void record(SmtpMessage message) {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(message));
  }
  void connected() {
    std::lock_guard lock(mutex_);
    ++connections_;
  }
  void login_failed() {
    std::lock_guard lock(mutex_);
    ++failed_logins_;
  }

  std::vector<SmtpMessage> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::size_t connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  std::size_t failed_logins() const {
    std::lock_guard lock(mutex_);
    return failed_logins_;
  }

  const FakeSmtpOptions options;  // fixed at construction

 private:
  struct Script {
    std::string command;
    std::string reply;
    int times_left;
  };
  mutable std::mutex mutex_;
  std::vector<Script> scripts_;
  std::vector<SmtpMessage> messages_;
  std::size_t connections_ = 0;
  std::size_t failed_logins_ = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, State& state)
      : socket_(std::move(socket)), buffer_(kMaxLine), timer_(socket_.get_executor()), state_(state) {}

  void run() {
    state_.connected();
    reply("220 fake.smtp ESMTP weft-fake");
  }

 private:
  enum class Mode { Command, Data, AuthPlain, AuthLoginUser, AuthLoginPassword };

  void do_read() {
    timer_.expires_after(kIdleTimeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->close();
    });
    asio::async_read_until(socket_, buffer_, "\r\n",
                           [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                             self->on_read(ec, n);
                           });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec) return close();
    std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) + n - 2);
    buffer_.consume(n);
    handle(line);
  }

  // Answers one line (or reads on, inside a message's data).
  void handle(const std::string& line) {
    switch (mode_) {
      case Mode::Data:
        return data_line(line);
      case Mode::AuthPlain:
        mode_ = Mode::Command;
        return check_plain(line);
      case Mode::AuthLoginUser:
        login_user_ = decode64(line);
        mode_ = Mode::AuthLoginPassword;
        return reply("334 UGFzc3dvcmQ6");  // "Password:"
      case Mode::AuthLoginPassword:
        mode_ = Mode::Command;
        return login(login_user_, decode64(line), "LOGIN");
      case Mode::Command:
        break;
    }
    std::string verb = upper(line.substr(0, line.find(' ')));
    std::string argument = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
    if (std::string scripted = state_.take_script(verb); !scripted.empty()) return reply(scripted);
    if (verb == "EHLO" || verb == "HELO") return hello(verb, argument);
    if (verb == "AUTH") return auth(argument);
    if (verb == "MAIL") return mail(line);
    if (verb == "RCPT") {
      if (!in_transaction_) return reply("503 5.5.1 MAIL first");
      current_.recipients.push_back(angle_address(line));
      return reply("250 2.1.5 OK");
    }
    if (verb == "DATA") {
      if (current_.recipients.empty()) return reply("503 5.5.1 RCPT first");
      mode_ = Mode::Data;
      return reply("354 End data with <CR><LF>.<CR><LF>");
    }
    if (verb == "RSET") {
      reset();
      return reply("250 2.0.0 OK");
    }
    if (verb == "NOOP") return reply("250 2.0.0 OK");
    if (verb == "QUIT") return reply("221 2.0.0 Bye", true);
    if (verb == "STARTTLS") return reply("454 4.7.0 TLS not available");
    reply("502 5.5.2 Command not recognized");
  }

  void hello(const std::string& verb, const std::string& argument) {
    helo_ = argument;
    reset();
    if (verb == "HELO") return reply("250 fake.smtp");
    std::vector<std::string> lines = {"fake.smtp greets " + argument};
    if (!state_.options.username.empty()) {
      std::string auth = "AUTH";
      for (const auto& mechanism : state_.options.mechanisms) auth += " " + mechanism;
      lines.push_back(auth);
    }
    if (state_.options.advertise_starttls) lines.push_back("STARTTLS");
    lines.push_back("8BITMIME");
    std::string text;
    for (size_t i = 0; i < lines.size(); ++i)
      text += (i ? "\r\n" : "") + std::string("250") + (i + 1 < lines.size() ? "-" : " ") + lines[i];
    reply(text);
  }

  void auth(const std::string& argument) {
    std::string mechanism = upper(argument.substr(0, argument.find(' ')));
    std::string initial = argument.find(' ') == std::string::npos ? "" : argument.substr(argument.find(' ') + 1);
    const auto& offered = state_.options.mechanisms;
    if (state_.options.username.empty() || std::find(offered.begin(), offered.end(), mechanism) == offered.end())
      return reply("504 5.5.4 Unrecognized authentication type");
    if (mechanism == "PLAIN") {
      if (!initial.empty()) return check_plain(initial);
      mode_ = Mode::AuthPlain;
      return reply("334 ");
    }
    if (!initial.empty()) {
      login_user_ = decode64(initial);
      mode_ = Mode::AuthLoginPassword;
      return reply("334 UGFzc3dvcmQ6");
    }
    mode_ = Mode::AuthLoginUser;
    reply("334 VXNlcm5hbWU6");  // "Username:"
  }

  // AUTH PLAIN's "[authzid] NUL user NUL password", base64.
  void check_plain(const std::string& encoded) {
    std::string text = decode64(encoded);
    size_t first = text.find('\0');
    size_t second = first == std::string::npos ? first : text.find('\0', first + 1);
    if (second == std::string::npos) return login("", "", "PLAIN");
    login(text.substr(first + 1, second - first - 1), text.substr(second + 1), "PLAIN");
  }

  void login(const std::string& user, const std::string& password, const char* mechanism) {
    if (user != state_.options.username || password != state_.options.password) {
      state_.login_failed();
      return reply("535 5.7.8 Authentication credentials invalid");
    }
    auth_user_ = user;
    auth_mechanism_ = mechanism;
    reply("235 2.7.0 Authentication successful");
  }

  void mail(const std::string& line) {
    if (!state_.options.username.empty() && auth_user_.empty())
      return reply("530 5.7.0 Authentication required");
    reset();
    in_transaction_ = true;
    current_.mail_from = angle_address(line);
    reply("250 2.1.0 OK");
  }

  void data_line(const std::string& line) {
    if (line != ".") {
      current_.data += (line.rfind('.', 0) == 0 ? line.substr(1) : line) + "\r\n";  // dot-unstuffing
      return do_read();
    }
    mode_ = Mode::Command;
    std::string scripted = state_.take_script("END");
    if (scripted.empty()) {
      current_.helo = helo_;
      current_.auth_user = auth_user_;
      current_.auth_mechanism = auth_mechanism_;
      state_.record(current_);
    }
    reset();
    reply(scripted.empty() ? "250 2.0.0 OK queued" : scripted);
  }

  void reset() {
    current_ = {};
    in_transaction_ = false;
  }

  void reply(const std::string& text, bool then_close = false) {
    out_ = text + "\r\n";
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this(), then_close](const boost::system::error_code& ec, std::size_t) {
                        if (ec || then_close) return self->close();
                        self->do_read();
                      });
  }

  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::streambuf buffer_;
  asio::steady_timer timer_;
  State& state_;
  Mode mode_ = Mode::Command;
  std::string helo_, auth_user_, auth_mechanism_, login_user_;
  bool in_transaction_ = false;
  SmtpMessage current_;
  std::string out_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, State& state)
      : acceptor_(ioc, {asio::ip::address_v4::loopback(), 0}), state_(state) {}

  unsigned short port() const { return acceptor_.local_endpoint().port(); }

  void do_accept() {
    acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), self->state_)->run();
      self->do_accept();
    });
  }

 private:
  tcp::acceptor acceptor_;
  State& state_;
};

}  // namespace

struct FakeSmtpServer::Impl {
  explicit Impl(FakeSmtpOptions options) : state(std::move(options)) {}
  State state;  // declared first: outlives the sessions that io_context destroys
  asio::io_context ioc{1};
  std::shared_ptr<Listener> listener = std::make_shared<Listener>(ioc, state);
  const unsigned short port = listener->port();  // read once, before the io thread starts
  std::thread thread;
};

FakeSmtpServer::FakeSmtpServer(FakeSmtpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->listener->do_accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

FakeSmtpServer::~FakeSmtpServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

unsigned short FakeSmtpServer::port() const { return impl_->port; }

std::string FakeSmtpServer::url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

void FakeSmtpServer::script(const std::string& command, const std::string& reply, int times) {
  impl_->state.add_script(command, reply, times);
}

std::vector<SmtpMessage> FakeSmtpServer::messages() const { return impl_->state.messages(); }

std::size_t FakeSmtpServer::connections() const { return impl_->state.connections(); }

std::size_t FakeSmtpServer::failed_logins() const { return impl_->state.failed_logins(); }

}  // namespace weft::testing
