import { describe, expect, it } from 'vitest';
import { expressionNames, templateNames } from './jinja-names.js';

const read = (expression: string) => [...expressionNames(expression).read].sort();

describe('expressionNames', () => {
  it('reads variables, not attributes, filters, tests, keyword arguments or keywords', () => {
    expect(read("peers | selectattr('scope', 'defined') | list if peer_with_router is defined and not x.y else []")).toEqual(['peer_with_router', 'peers', 'x']);
    expect(read('calico_ip_auto_method is not defined')).toEqual(['calico_ip_auto_method']);
    expect(read("foo | combine(bar, recursive=true) | default(omit)")).toEqual(['bar', 'foo', 'omit']);
    expect(read("'literal_name' in groups['kube_node'] or None")).toEqual(['groups']);
  });

  it('reads the names subscripted out of hostvars and vars', () => {
    expect(read("hostvars[item]['access_ip'] | default(hostvars[item].ip)")).toEqual(['access_ip', 'hostvars', 'ip', 'item']);
    expect(read("vars['kube_vip_address'] ~ vars.kube_vip_interface")).toEqual(['kube_vip_address', 'kube_vip_interface', 'vars']);
    expect(read("lookup('vars', 'containerd_registries_mirrors')")).toEqual(['containerd_registries_mirrors']);
  });
});

describe('templateNames', () => {
  it('reads {{ }} and {% %} blocks, binds for/set/macro targets, skips comments', () => {
    const names = templateNames(`{# {{ commented_out }} #}
{% for registry, addr in containerd_insecure_registries.items() %}{{ registry }}={{ addr }}{% endfor %}
{% set extra = kube_extra | default({}) %}{% if calico_ip_auto_method is defined %}{{ calico_ip_auto_method }}{% endif %}
{%- macro peer(p) -%}{{ p.as }}{%- endmacro %}`);
    expect([...names.read].sort()).toEqual(['addr', 'calico_ip_auto_method', 'containerd_insecure_registries', 'kube_extra', 'p', 'registry']);
    expect([...names.bound].sort()).toEqual(['addr', 'extra', 'p', 'peer', 'registry']);
  });
});
