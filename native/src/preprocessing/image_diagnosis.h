// Why bytes that OpenCV could not decode give no image, for the error message: the format they
// begin with, and where its structure breaks (the data cut short, a checksum that fails) when
// that can be told without decoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace clip4j {

// A message such as "truncated PNG: the data ends inside the IDAT chunk (4390 bytes)".
std::string undecodable_reason(const uint8_t* data, size_t size);

}  // namespace clip4j
