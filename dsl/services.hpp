// The native services a run's Lua modules use (the worker's HTTP client,
// the secret keys, ...), found by type. Whoever owns a service puts it in;
// dsl/ names none of them, so adding a service changes nothing here or in
// RunContext.
#pragma once
#include <typeindex>
#include <unordered_map>

namespace weft::dsl {

class Services {
 public:
  // Not owned: the service outlives the runs that use it.
  template <class T>
  void put(T* service) {
    by_type_[std::type_index(typeid(T))] = const_cast<void*>(static_cast<const void*>(service));
  }
  // Null when no such service was put.
  template <class T>
  T* find() const {
    auto it = by_type_.find(std::type_index(typeid(T)));
    return it == by_type_.end() ? nullptr : static_cast<T*>(it->second);
  }

 private:
  std::unordered_map<std::type_index, void*> by_type_;
};

}  // namespace weft::dsl
