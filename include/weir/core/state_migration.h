// StateMigrationException: restored state does not fit what the job registers now
// (another state kind, element serializer or serializer version, or a list with
// another distribution mode). Restoring the same snapshot again fails the same way,
// so the task turns it into a failure the job does not restart from: the job fails
// at once, naming the operator and the state, instead of restarting in a loop.
#pragma once

#include <stdexcept>
#include <string>

namespace weir {

class StateMigrationException : public std::runtime_error {
 public:
  explicit StateMigrationException(const std::string& message, std::string operatorName = "")
      : std::runtime_error(message), operatorName_(std::move(operatorName)) {}
  // The operator whose state it is; empty until the operator's call site adds it.
  const std::string& operatorName() const { return operatorName_; }

 private:
  std::string operatorName_;
};

}  // namespace weir
