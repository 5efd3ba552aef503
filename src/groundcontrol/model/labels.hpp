// Labels: the key/value pairs every resource carries in metadata.labels, ordered by key so
// that their serialisation (and every digest computed over it) is canonical.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace groundcontrol::model {

using Labels = std::map<std::string, std::string, std::less<>>;

}  // namespace groundcontrol::model
