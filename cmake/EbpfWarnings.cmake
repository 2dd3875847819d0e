# ebpf_warnings(target): the project's warning set; errors with EBPF_WERROR=ON
# (the presets and CI), warnings only by default (distribution builds).
function(ebpf_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false -Wrestrict overlaps inside std::string's operator+
    # when optimising (GCC bug 105329); nothing in our code can fix them.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(EBPF_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# ebpf_component(name SOURCES ... DEPS ...): a static library for one folder of
# src/. Tests link the components they test; libebpf-native.so and .a are made
# from the objects of every component (cmake/EbpfLibrary.cmake).
function(ebpf_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  set_property(GLOBAL APPEND PROPERTY EBPF_COMPONENTS ${name})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                       PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  ebpf_warnings(${name})
endfunction()
