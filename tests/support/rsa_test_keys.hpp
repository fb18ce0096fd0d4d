// A throwaway RSA-2048 key pair made with the openssl command line for
// tests (test_crypto.cpp, test_webhook.cpp), and the public half of a
// second, unrelated pair. Never use them for anything else.
#pragma once
#include <string>

namespace weft::testing {

const std::string kPrivatePem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCeW3d58Lq0KL3Y
sG4SWo5r/bDQ0fedyT/6tITZKqLwAFt67TJXuWHU21Rr5sWIkZgrDNfowfoKLc28
EbdLI/0Yu3GuIp3WXiwsxZVd/6bbv+rvPceb6uDtCjvPu0abbf52iAYYmXZvaE/G
2Sm6GlnYIv5fxiBcoz5jN8weyqyIZjC6DCNntuHPpRCp1sSeaNKVSbrIlzXBpz2i
VWBjDtCYSxnIOz5A0TCFA1xBHsEhOQvHlHGn7qdYcr18JEJ8JpJXmAJQiZjHa+8D
wEQevv4zkWZCdE0nCzJ2RBjoMG4Kn+HctVwRvCcRpDXIC5nKG3h0GOh51nK+tqWF
zB3hcl2dAgMBAAECggEAHGi53C82+3ukpWNvd8z1qIOEbU4Bz3WLjBFHFQOsZASY
ZMr5YVoBZlOrx0jJDslZ5H1DHb9w+VMCyfberHUKIp38FLqimNLft2+B7rFe0KUT
Q3TQotTmIbhYhxmontlCkaaw+0hKwk1TJJAQh5HTJO6QNoPfiecCWf/oV2zSO4zb
WkxuFWUQARXXfHv6eYPBJ462qmntX0R+GCo/YMdFWReEa6xsS2F14ahpXbQjlE8R
Q66UGKto1wyTjes9qWRjYwy/C0oMpsIH42/6So+BBb4hLLH/5CJFyQbiOWf2N5GS
hde/UUwRDBniZiTv9AqOk8b959vM6yC4J2+Se22ruQKBgQDVjKthQwd/AV89pAM4
sM34DJCA8ogl7wXcw+KXrHOAAjk+Qabk8TMPTOluTkJEEIdSOwGMtz2/z3o5SccS
GAalq/muGm08gnWYk8wcGJ04GBGANAJbidBo9zcjD8ldBnpmWV8uro/WCG9m+Hui
QLfDbUl7y1UH8XhgkumiBWB5GQKBgQC91h5mXBMQK8RxXZjpICc5xBDB1oZjCx64
5wUSA6UEiIeF2j+r1+qHP6O4ESBzBIqQIqc0BGmbHYefV+PirA2pPP/Ngcn9ztXe
pkKwgFS5BX0JhjlzJify9qJUHTby+oQey+4W8AkpIyPu4289IbPSPWEb6j4vPxs3
4CuvBcplJQKBgQCF/N0LCaOKbLH1WxMqXsTc/gUs4v/JzU9AVSe3Qty1VK/WABtX
Sn9e+kL8kt3BFx3Q2nT+dXqo/uURTNk64RhKmrzuIGapsLFYKmPGvSroJzHT3s4b
4TyCn5pYxW7yjz39OdYe1Cgrgt9jHEV2aGTkmY2hvtJ7SWbeMU+l+PmvAQKBgBAD
9XKbR/xwRNVvmQvp64VDFkrUJ2hJsuDUlKftaMmWHyDaxc5gm+enJc/Mmhk6A9qf
Ic4QpTwx5JQ73PztmQVzIP2ceocQIRj0m+G6IeuuG9tm2IfvayVjS1SfVlhvbCAR
AlgrDgrLbSelRmg45KvTA9NQEsj3oPs4zVapvWaFAoGAQ+Wd58Me1/Trm0/slfhq
X6MVChJSBRJe4BiLq6EQoJXOuGTnJz0ak19ZUYM7giOkYnmoDV4Hz4i2EDAkTOsm
hVNv/bwuFTc/SEoiYHQlwJpuHC1VURIyztO90lKae4tsBFUC6jXfbjz3E3Rb2b4/
JeLgP9zzhkneJQlcIidP8+U=
-----END PRIVATE KEY-----
)";
const std::string kPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnlt3efC6tCi92LBuElqO
a/2w0NH3nck/+rSE2Sqi8ABbeu0yV7lh1NtUa+bFiJGYKwzX6MH6Ci3NvBG3SyP9
GLtxriKd1l4sLMWVXf+m27/q7z3Hm+rg7Qo7z7tGm23+dogGGJl2b2hPxtkpuhpZ
2CL+X8YgXKM+YzfMHsqsiGYwugwjZ7bhz6UQqdbEnmjSlUm6yJc1wac9olVgYw7Q
mEsZyDs+QNEwhQNcQR7BITkLx5Rxp+6nWHK9fCRCfCaSV5gCUImYx2vvA8BEHr7+
M5FmQnRNJwsydkQY6DBuCp/h3LVcEbwnEaQ1yAuZyht4dBjoedZyvralhcwd4XJd
nQIDAQAB
-----END PUBLIC KEY-----
)";
const std::string kOtherPublicPem = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnMyWIUAnDVOGwhatYLP9
uK002ZnaWmcf+iuIhHyf2NxuvY0SufKpvycMAQ0d4Ug0ZvPA5SHH0OFfr0AcvGmx
p1puYqN2QUN1qMP77jtn9dYfwPn3pNAYpTKjAFCR+4hJOCsW9DXNZG+1/ZHzlf0W
0FaTXo2I+ocZwnkiV4luv8IoWznvF6lThVDHdcxg+jUNSMMPmbfPc/4RXWmNNmiQ
WmLlr1vfADhY3hRYIPd7R/9bw4w29+QAY5xgJf+rtt4xTtJkBjkkqZidhic3bQki
yilDXthWQMO9EGNula6guS5XrKc/ZxLD39Da5Sp0Z7Ahd/LLJIntSQP0RwAnk+rq
nwIDAQAB
-----END PUBLIC KEY-----
)";

}  // namespace weft::testing
