// The Pod Security Standards' baseline level (pod-security-checks.ts runs them): what no ordinary container needs
// — host namespaces, privileged mode, host paths and ports, capabilities beyond Docker's default set, unsafe
// sysctls, unmasked /proc, unconfined AppArmor/seccomp, custom SELinux, Windows HostProcess.
import {
  asArray,
  asObject,
  asString,
  containerList,
  isSafeProfile,
  joinQuote,
  nameOf,
  pluralize,
  sc,
  setters,
  sorted,
  type Check,
  type Json,
} from './pod-security-view.js';

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** The kubelet's safe sysctls as of Kubernetes 1.32. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** Upstream's baseline checks, sorted by ID. */
export const BASELINE_CHECKS: Check[] = [
  {
    id: 'appArmorProfile',
    run({ annotations, podSc, containers }) {
      const badValues = new Set<string>();
      const bad = (o: Json) => {
        const profile = o.appArmorProfile;
        if (profile === undefined || profile === null) return false;
        const type = asString(asObject(profile).type);
        if (isSafeProfile(type)) return false;
        badValues.add(type);
        return true;
      };
      const pod = bad(podSc);
      const names = containers.filter((c) => bad(sc(c))).map(nameOf);
      const who = setters(pod, names) ? [setters(pod, names)] : [];
      const badAnnotations = Object.entries(annotations)
        .filter(([k]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX))
        .map(([k, v]) => [k, asString(v)])
        .filter(([, v]) => v !== '' && v !== 'runtime/default' && !v.startsWith('localhost/'))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .sort();
      if (badAnnotations.length > 0) who.push(pluralize('annotation', 'annotations', badAnnotations.length));
      if (who.length === 0) return undefined;
      const values = [...sorted(badValues), ...badAnnotations];
      return {
        reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
        detail: `${who.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
      };
    },
  },
  {
    id: 'capabilities_baseline',
    run({ containers }) {
      const caps = new Set<string>();
      const names = containers
        .filter((c) => {
          const added = asArray(asObject(sc(c).capabilities).add).map(asString);
          const bad = added.filter((a) => !BASELINE_CAPABILITIES.has(a));
          bad.forEach((a) => caps.add(a));
          return bad.length > 0;
        })
        .map(nameOf);
      if (names.length === 0) return undefined;
      return {
        reason: 'non-default capabilities',
        detail: `${containerList(names)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
      };
    },
  },
  {
    id: 'hostNamespaces',
    run({ spec }) {
      const set = ['hostNetwork', 'hostPID', 'hostIPC']
        .filter((f) => spec[f] === true)
        .map((f) => `${f}=true`);
      return set.length > 0 ? { reason: 'host namespaces', detail: sorted(set).join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    run({ spec }) {
      const names = asArray(spec.volumes)
        .map(asObject)
        .filter((v) => v.hostPath !== undefined && v.hostPath !== null)
        .map(nameOf);
      if (names.length === 0) return undefined;
      return {
        reason: 'hostPath volumes',
        detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
      };
    },
  },
  {
    id: 'hostPorts',
    run({ containers }) {
      const ports = new Set<string>();
      const names = containers
        .filter((c) => {
          const used = asArray(c.ports)
            .map((p) => asObject(p).hostPort)
            .filter((h) => h !== undefined && h !== null && h !== 0);
          used.forEach((h) => ports.add(asString(h)));
          return used.length > 0;
        })
        .map(nameOf);
      if (names.length === 0) return undefined;
      const list = sorted(ports);
      return {
        reason: 'hostPort',
        detail: `${containerList(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
      };
    },
  },
  {
    id: 'privileged',
    run({ containers }) {
      const names = containers.filter((c) => sc(c).privileged === true).map(nameOf);
      if (names.length === 0) return undefined;
      return {
        reason: 'privileged',
        detail: `${containerList(names)} must not set securityContext.privileged=true`,
      };
    },
  },
  {
    id: 'procMount',
    run({ containers }) {
      const types = new Set<string>();
      const names = containers
        .filter((c) => {
          const t = sc(c).procMount;
          if (t === undefined || t === null || t === 'Default') return false;
          types.add(asString(t));
          return true;
        })
        .map(nameOf);
      if (names.length === 0) return undefined;
      return {
        reason: 'procMount',
        detail: `${containerList(names)} must not set securityContext.procMount to ${joinQuote(sorted(types))}`,
      };
    },
  },
  {
    id: 'seLinuxOptions',
    run({ podSc, containers }) {
      const badTypes = new Set<string>();
      let user = false;
      let role = false;
      const bad = (o: Json) => {
        if (o.seLinuxOptions === undefined || o.seLinuxOptions === null) return false;
        const opts = asObject(o.seLinuxOptions);
        const type = asString(opts.type);
        let valid = true;
        if (!SELINUX_TYPES.has(type)) {
          badTypes.add(type);
          valid = false;
        }
        if (asString(opts.user) !== '') {
          user = true;
          valid = false;
        }
        if (asString(opts.role) !== '') {
          role = true;
          valid = false;
        }
        return !valid;
      };
      const pod = bad(podSc);
      const names = containers.filter((c) => bad(sc(c))).map(nameOf);
      if (!pod && names.length === 0) return undefined;
      const what = [
        ...(badTypes.size > 0
          ? [`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sorted(badTypes))}`]
          : []),
        ...(user ? ['user may not be set'] : []),
        ...(role ? ['role may not be set'] : []),
      ];
      return {
        reason: 'seLinuxOptions',
        detail: `${setters(pod, names)} set forbidden securityContext.seLinuxOptions: ${what.join('; ')}`,
      };
    },
  },
  {
    id: 'seccompProfile_baseline',
    run({ podSc, containers }) {
      const values = new Set<string>();
      const bad = (o: Json) => {
        if (o.seccompProfile === undefined || o.seccompProfile === null) return false;
        const type = asString(asObject(o.seccompProfile).type);
        if (isSafeProfile(type)) return false;
        values.add(type);
        return true;
      };
      const pod = bad(podSc);
      const names = containers.filter((c) => bad(sc(c))).map(nameOf);
      if (!pod && names.length === 0) return undefined;
      return {
        reason: 'seccompProfile',
        detail: `${setters(pod, names)} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
      };
    },
  },
  {
    id: 'sysctls',
    run({ podSc }) {
      const bad = asArray(podSc.sysctls)
        .map((s) => asString(asObject(s).name))
        .filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length > 0 ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    run({ podSc, containers }) {
      const hostProcess = (o: Json) => asObject(o.windowsOptions).hostProcess === true;
      const pod = hostProcess(podSc);
      const names = containers.filter((c) => hostProcess(sc(c))).map(nameOf);
      if (!pod && names.length === 0) return undefined;
      return {
        reason: 'hostProcess',
        detail: `${setters(pod, names)} must not set securityContext.windowsOptions.hostProcess=true`,
      };
    },
  },
];
