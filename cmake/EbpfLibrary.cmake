# The library other projects link: libebpf-native.so (soname from the project
# version) and libebpf-native.a, both made from the objects every component
# (ebpf_component) already compiled, so nothing is compiled twice.
#
#   ebpf-native         SHARED: exports our API; third-party libraries are
#                       PRIVATE (libelf, libbpf, capstone, OpenSSL, pcap… as
#                       DT_NEEDED; asmjit, a static archive, linked in with its
#                       symbols kept local).
#   ebpf-native-static  STATIC (file libebpf-native.a): consumers add the
#                       third-party libraries themselves (EBPF_NATIVE_STATIC_LIBS:
#                       pkg-config's Libs.private, the CMake package's link
#                       interface).
#
# Called once, after every src/ component was added.
include_guard(GLOBAL)
include(GNUInstallDirs)

# "-lname" (or a flag) for one link item of a component, for consumers outside
# this build: paths become -l names, imported targets their libraries.
function(_ebpf_link_flags item out)
  set(flags)
  if(TARGET ${item})
    get_target_property(imported ${item} IMPORTED)
    if(imported)
      get_target_property(location ${item} IMPORTED_LOCATION)
      if(NOT location)
        get_target_property(location ${item} IMPORTED_LOCATION_RELEASE)
      endif()
      if(location)
        _ebpf_link_flags(${location} flags)
      endif()
      get_target_property(interface ${item} INTERFACE_LINK_LIBRARIES)
      if(interface)
        foreach(sub ${interface})
          _ebpf_link_flags(${sub} sub_flags)
          list(APPEND flags ${sub_flags})
        endforeach()
      endif()
    endif()
  elseif(item MATCHES "^-")
    set(flags ${item})
  elseif(item MATCHES "/lib([^/]+)\\.(so|a)(\\.[0-9.]+)?$")
    set(flags -l${CMAKE_MATCH_1})
  elseif(item MATCHES "^[A-Za-z0-9_+.-]+$")
    set(flags -l${item})
  endif()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

function(ebpf_native_library)
  get_property(components GLOBAL PROPERTY EBPF_COMPONENTS)
  set(objects)
  set(third_party)
  foreach(component ${components})
    list(APPEND objects $<TARGET_OBJECTS:${component}>)
    get_target_property(deps ${component} LINK_LIBRARIES)
    if(NOT deps)
      continue()
    endif()
    foreach(dep ${deps})
      if(NOT dep IN_LIST components)
        list(APPEND third_party ${dep})
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES third_party)

  set(static_flags)
  foreach(dep ${third_party})
    _ebpf_link_flags(${dep} flags)
    list(APPEND static_flags ${flags})
  endforeach()
  # The objects are C++: a C host linking the archive needs the C++ runtime.
  # Components come in dependency order (isa first); a static link needs
  # users before what they use (libbpf before libelf): the reverse.
  list(REVERSE static_flags)
  list(APPEND static_flags -pthread -lstdc++ -lm)
  list(REMOVE_DUPLICATES static_flags)
  set(EBPF_NATIVE_STATIC_LIBS ${static_flags} PARENT_SCOPE)

  # ebpf/version.h: the project version, one place (ebpf_version() reports it).
  configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in ${PROJECT_BINARY_DIR}/include/ebpf/version.h @ONLY)

  set(include_dirs $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                   $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
                   $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
                   $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/ebpf-native>)

  # asmjit_stderr.c: Debian's libasmjit.a is not fit for a shared object as it is.
  add_library(ebpf-native SHARED ${objects} ${PROJECT_SOURCE_DIR}/src/exec/asmjit_stderr.c)
  target_include_directories(ebpf-native PUBLIC ${include_dirs})
  target_link_libraries(ebpf-native PRIVATE ${third_party})
  # Every symbol resolved inside (no surprises for hosts); asmjit's symbols
  # stay inside the library so they cannot clash with a host's own asmjit.
  target_link_options(ebpf-native PRIVATE -Wl,--no-undefined -Wl,--exclude-libs,libasmjit.a)
  set_target_properties(ebpf-native PROPERTIES
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    LINKER_LANGUAGE CXX
    EXPORT_NAME ebpf-native)
  add_library(ebpf-native::ebpf-native ALIAS ebpf-native)

  add_library(ebpf-native-static STATIC ${objects})
  target_include_directories(ebpf-native-static PUBLIC ${include_dirs})
  # In this build the components' own dependencies; installed, plain -l flags
  # (the package needs no pkg-config module or imported target of its own).
  foreach(dep ${third_party})
    target_link_libraries(ebpf-native-static INTERFACE $<BUILD_INTERFACE:${dep}>)
  endforeach()
  foreach(flag ${static_flags})
    target_link_libraries(ebpf-native-static INTERFACE $<INSTALL_INTERFACE:${flag}>)
  endforeach()
  set_target_properties(ebpf-native-static PROPERTIES
    OUTPUT_NAME ebpf-native
    LINKER_LANGUAGE CXX
    EXPORT_NAME static)
  add_library(ebpf-native::static ALIAS ebpf-native-static)
endfunction()

# Installs the library, the headers, the CMake package and pkg-config file.
# Tools install themselves (tools/CMakeLists.txt) into the same export set.
function(ebpf_native_install)
  set(cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ebpf-native)
  install(TARGETS ebpf-native ebpf-native-static EXPORT ebpf-native-targets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # ebpf/ in the include directory; our libbpf-compatible bpf/ headers one
  # level down (include/ebpf-native/bpf/), so that installing into /usr/local
  # never shadows libbpf-dev's <bpf/libbpf.h> for other programs: only hosts
  # that ask for ebpf-native (pkg-config, find_package) see ours.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ebpf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/bpf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ebpf-native)
  install(FILES ${PROJECT_BINARY_DIR}/include/ebpf/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ebpf)

  install(EXPORT ebpf-native-targets NAMESPACE ebpf-native:: DESTINATION ${cmake_dir})
  include(CMakePackageConfigHelpers)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ebpf-nativeConfig.cmake.in
    ${PROJECT_BINARY_DIR}/ebpf-nativeConfig.cmake INSTALL_DESTINATION ${cmake_dir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/ebpf-nativeConfigVersion.cmake
    COMPATIBILITY SameMajorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/ebpf-nativeConfig.cmake
                ${PROJECT_BINARY_DIR}/ebpf-nativeConfigVersion.cmake
                ${PROJECT_SOURCE_DIR}/cmake/EbpfProgram.cmake
          DESTINATION ${cmake_dir})

  # Libs.private, not Requires.private: `pkg-config --static` would then pull
  # the whole closure (libpcap → dbus → libsystemd, often without a static
  # archive) for a link that keeps the system libraries shared anyway: native
  # modules are loaded with dlopen, so hosts link glibc dynamically.
  list(JOIN EBPF_NATIVE_STATIC_LIBS " " EBPF_NATIVE_LIBS_PRIVATE)
  # Relocatable: the prefix is found from the .pc file's own place, so
  # `cmake --install build --prefix DIR` works for any DIR.
  file(RELATIVE_PATH pc_to_prefix /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
  string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ebpf-native.pc.in ${PROJECT_BINARY_DIR}/ebpf-native.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/ebpf-native.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples DESTINATION ${CMAKE_INSTALL_DOCDIR})
endfunction()
